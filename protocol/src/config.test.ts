import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, matchSchemaKeys } from './config.js';

const Schema = Type.Object({
  dataDir: Type.String({ default: './data' }),
  http: Type.Object(
    {
      host: Type.String({ default: '127.0.0.1' }),
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    },
    { default: {} },
  ),
  devices: Type.Array(Type.Object({ id: Type.String() }), { default: [] }),
});

function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-config-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('fills nested defaults', () => {
    expect(loadConfig(Schema, { env: {} })).toEqual({
      dataDir: './data',
      http: { host: '127.0.0.1', port: 8080 },
      devices: [],
    });
  });

  it('reads YAML and applies environment overrides case-insensitively', () => {
    const file = writeTemp('a.yaml', 'http:\n  port: 9000\ndevices:\n  - id: radar\n');
    const config = loadConfig(Schema, {
      file,
      env: { ANXIN__HTTP__PORT: '9100', ANXIN__DATADIR: '/srv/anxin' },
    });
    expect(config.http.port).toBe(9100);
    expect(config.dataDir).toBe('/srv/anxin');
    expect(config.devices).toEqual([{ id: 'radar' }]);
  });

  it('keeps numeric-looking strings as strings where the schema wants a string', () => {
    const config = loadConfig(Schema, { env: { ANXIN__DATADIR: '1234' } });
    expect(config.dataDir).toBe('1234');
  });

  it('names the bad key and what is wrong', () => {
    const file = writeTemp('b.yaml', 'http:\n  port: 70000\n');
    expect(() => loadConfig(Schema, { file, env: {} })).toThrowError(/http\.port: .*65535/);
  });

  it('names unknown keys, with the keys it knows', () => {
    const file = writeTemp('c.yaml', 'http:\n  prot: 1\n');
    try {
      loadConfig(Schema, { file, env: {} });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toContain(
        'http.prot: unknown key (known keys here: host, port)',
      );
    }
  });

  it('reports unreadable and malformed files', () => {
    expect(() => loadConfig(Schema, { file: '/nonexistent/anxin.yaml', env: {} })).toThrowError(
      /cannot read file/,
    );
    const file = writeTemp('d.yaml', 'http: [unclosed\n');
    expect(() => loadConfig(Schema, { file, env: {} })).toThrowError(/not valid YAML/);
    const list = writeTemp('e.yaml', '- 1\n- 2\n');
    expect(() => loadConfig(Schema, { file: list, env: {} })).toThrowError(/mapping/);
  });
});

describe('matchSchemaKeys', () => {
  it('spells keys as the schema does and merges what then coincides, later keys winning', () => {
    // As env overrides under a loosely typed key arrive (ANXIN__X__HTTP__PORT), after a file.
    const written = { http: { host: '0.0.0.0', port: 1 }, HTTP: { PORT: 9100 }, Extra: { A: 1 } };
    expect(matchSchemaKeys(Schema, written)).toEqual({
      http: { host: '0.0.0.0', port: 9100 },
      Extra: { A: 1 }, // not in the schema: left as written, for validation to name
    });
  });
});
