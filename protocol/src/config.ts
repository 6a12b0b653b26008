/**
 * Configuration loading shared by every `anxin` command: a YAML or JSON file, then environment
 * overrides, then schema defaults, validated once at start-up. A wrong key or value stops
 * start-up with a message that names the key and what is wrong with it.
 *
 * Environment overrides: `ANXIN__A__B=value` sets key `a.b` (matched case-insensitively against
 * the schema's property names, so `ANXIN__HTTP__PORT=8080` sets `http.port`). Values are parsed as
 * JSON when they parse (numbers, booleans, arrays), otherwise taken as strings.
 */
import { readFileSync } from 'node:fs';
import { Kind, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { schemaIssues } from './schema.js';
import { errorMessage } from './errors.js';

export const ENV_PREFIX = 'ANXIN__';

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration (${source}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a YAML (or JSON, which is YAML) file into a plain object. */
export function readConfigFile(file: string): Plain {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${errorMessage(err)}`]);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ConfigError(file, [`not valid YAML/JSON: ${errorMessage(err)}`]);
  }
  if (data === null || data === undefined) return {};
  if (!isPlain(data)) throw new ConfigError(file, ['the top level must be a mapping of keys']);
  return data;
}

function childSchema(schema: TSchema | undefined, key: string): [string, TSchema | undefined] {
  if (schema && schema[Kind] === 'Object') {
    const props = (schema as TObject).properties;
    const match = Object.keys(props).find((k) => k.toLowerCase() === key.toLowerCase());
    if (match) return [match, props[match]];
  }
  return [key, undefined];
}

/**
 * Renames keys to the schema's spelling where they match it case-insensitively, recursively, and
 * merges keys that then coincide (later ones win). For values under a key the schema types loosely
 * (the demo's `hub`, checked later by the hub's own schema): environment overrides arrive there
 * as written, so ANXIN__HUB__HTTP__PORT gives `hub.HTTP.PORT` until matched against the hub's.
 */
export function matchSchemaKeys(schema: TSchema, value: unknown): unknown {
  if (!isPlain(value) || schema[Kind] !== 'Object') return value;
  const out: Plain = {};
  for (const [written, v] of Object.entries(value)) {
    const [key, sub] = childSchema(schema, written);
    const matched = sub ? matchSchemaKeys(sub, v) : v;
    const existing = out[key];
    if (isPlain(existing) && isPlain(matched)) deepMerge(existing, matched);
    else out[key] = matched;
  }
  return out;
}

/** Applies ANXIN__* variables onto `target`, returning the keys it set (for logging). */
export function applyEnvOverrides(
  schema: TSchema,
  target: Plain,
  env: NodeJS.ProcessEnv,
): string[] {
  const applied: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split('__').filter(Boolean);
    if (segments.length === 0) continue;
    let node: Plain = target;
    let nodeSchema: TSchema | undefined = schema;
    const path: string[] = [];
    segments.forEach((segment, i) => {
      const [key, sub] = childSchema(nodeSchema, segment);
      path.push(key);
      if (i === segments.length - 1) {
        let value: unknown = raw;
        try {
          value = JSON.parse(raw);
        } catch {
          // not JSON: keep the string as written
        }
        if (sub && sub[Kind] === 'String' && typeof value !== 'string') value = raw;
        node[key] = value;
      } else {
        const next = node[key];
        node[key] = isPlain(next) ? next : {};
        node = node[key] as Plain;
        nodeSchema = sub;
      }
    });
    applied.push(path.join('.'));
  }
  return applied;
}

function unknownKeys(schema: TSchema, value: unknown, prefix: string, out: string[]): void {
  if (!isPlain(value) || schema[Kind] !== 'Object') return;
  const props = (schema as TObject).properties;
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const sub = props[key];
    if (!sub) {
      const known = Object.keys(props).join(', ');
      out.push(`${path}: unknown key (known keys here: ${known})`);
    } else {
      unknownKeys(sub, child, path, out);
    }
  }
}

export interface LoadConfigOptions {
  /** Path to a YAML/JSON file; omitted means defaults plus environment. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Values applied under the file (e.g. what a command line flag implies). */
  base?: Plain;
}

/** Loads, fills defaults and validates; throws ConfigError naming every bad key. */
export function loadConfig<T extends TObject>(
  schema: T,
  options: LoadConfigOptions = {},
): Static<T> {
  const source = options.file ?? 'defaults';
  const merged: Plain = structuredClone(options.base ?? {});
  if (options.file) deepMerge(merged, readConfigFile(options.file));
  applyEnvOverrides(schema, merged, options.env ?? process.env);
  return validateConfig(schema, merged, source);
}

/** Fills defaults and validates an already-assembled object. */
export function validateConfig<T extends TObject>(
  schema: T,
  input: unknown,
  source: string,
): Static<T> {
  const problems: string[] = [];
  unknownKeys(schema, input, '', problems);
  const withDefaults = Value.Default(schema, structuredClone(input));
  const reportedUnknown = new Set(problems.map((p) => p.slice(0, p.indexOf(':'))));
  for (const issue of schemaIssues(schema, withDefaults, 20)) {
    const key = issue.path.replace(/^\//, '').replaceAll('/', '.') || '(top level)';
    if (reportedUnknown.has(key)) continue; // already named as an unknown key, with the known ones
    problems.push(`${key}: ${issue.message}`);
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return withDefaults as Static<T>;
}

function deepMerge(target: Plain, source: Plain): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlain(existing) && isPlain(value)) deepMerge(existing, value);
    else target[key] = value;
  }
}
