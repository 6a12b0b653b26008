/**
 * The response schema of a route that answers a CSV file (an import template, an export): one
 * string under `text/csv`. Fastify sends such a body (a string or a stream) as it is, without
 * JSON serialization; the schema documents the answer in the OpenAPI document (issue 14).
 */
import { Type, type TSchema } from '@sinclair/typebox';

/** The schema typed as any TSchema: the body may be a string or a stream of the file's lines. */
export const CSV_ANSWER: {
  200: { description: string; content: { 'text/csv': { schema: TSchema } } };
} = {
  200: {
    description: 'A UTF-8 CSV file with a byte-order mark (RFC 4180 quoting, CRLF line ends)',
    content: { 'text/csv': { schema: Type.String() } },
  },
};
