/**
 * What an OpenAPI document leaves unsaid: operations with no 2xx response, or whose 2xx response
 * has no schema, or a schema that accepts anything (`{}`), or a body that is not JSON (CSV, a
 * workbook, Prometheus text) described as anything but a string. Used by the test that walks the hub's
 * own document (openapi.test.ts), so every route says what it answers.
 */

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, unknown> };
}

export type OpenApiResponses = Record<string, OpenApiResponse>;

interface OpenApiOperation {
  responses?: OpenApiResponses;
}

interface OpenApiResponse {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** A schema that constrains nothing: not an object, or an object with no constraining keyword. */
function saysNothing(schema: unknown): boolean {
  if (schema === null || typeof schema !== 'object') return true;
  const keys = Object.keys(schema).filter(
    (key) => !['description', 'title', '$id', 'examples', 'example'].includes(key),
  );
  return keys.length === 0;
}

/** JSON media types (`application/json`, `application/problem+json`, …), parameters aside. */
function isJson(mediaType: string): boolean {
  const essence = mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
  return essence === 'application/json' || essence.endsWith('+json');
}

/**
 * What is wrong with the schema of a body that is not JSON (a CSV, a workbook, Prometheus text),
 * or null. Such a body is one string: text for `text/*`, bytes (`format: binary`) otherwise. An
 * object schema under `text/csv` would describe an answer the route never gives.
 */
function nonJsonProblem(mediaType: string, schema: unknown): string | null {
  if (schema === null || typeof schema !== 'object' || !('type' in schema)) return 'not a string';
  if (schema.type !== 'string') return 'not a string';
  const text = mediaType.trim().toLowerCase().startsWith('text/');
  const binary = 'format' in schema && schema.format === 'binary';
  return text || binary ? null : 'a binary body without format: binary';
}

/** One line per gap, `METHOD /path: what is missing`. */
export function openApiGaps(doc: OpenApiDocument): string[] {
  const gaps: string[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!METHODS.has(method)) continue;
      const name = `${method.toUpperCase()} ${path}`;
      const ok = Object.entries(operation.responses ?? {}).filter(([code]) =>
        /^2(\d\d|XX)$/i.test(code),
      );
      if (ok.length === 0) {
        gaps.push(`${name}: no 2xx response`);
        continue;
      }
      for (const [code, response] of ok) {
        // 204 answers no body: its absence of content is the schema.
        if (code === '204') continue;
        const contents = Object.entries(response.content ?? {});
        if (contents.length === 0) gaps.push(`${name}: ${code} has no schema`);
        for (const [type, content] of contents) {
          if (saysNothing(content.schema)) gaps.push(`${name}: ${code} ${type} schema is {}`);
          else if (!isJson(type)) {
            const problem = nonJsonProblem(type, content.schema);
            if (problem !== null) gaps.push(`${name}: ${code} ${type} schema is ${problem}`);
          }
        }
      }
    }
  }
  return gaps;
}
