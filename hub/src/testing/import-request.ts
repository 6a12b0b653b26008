/**
 * Test support: a large file of homes in the district 'd1' of seedGatewayHome (gateway-home.ts)
 * and a real import of it, for the tests of chunked writes and of the import lease.
 */
import type { ImportRequest } from '../bulk/import-service.js';

/** `rows` homes `<prefix>-00000`… in area 'd1', as CSV bytes. */
export const homesFile = (prefix: string, rows: number): Buffer =>
  Buffer.from(
    [
      'home_code,area_id,address',
      ...Array.from(
        { length: rows },
        (_, i) => `${prefix}-${String(i).padStart(5, '0')},d1,街 ${i} 号`,
      ),
    ].join('\n'),
  );

/** A real import of `bytes` as homes by an admin-scoped, anonymous actor. */
export const homesImport = (bytes: Buffer, over: Partial<ImportRequest> = {}): ImportRequest => ({
  kind: 'homes',
  bytes,
  format: 'csv',
  encoding: 'utf-8',
  dryRun: false,
  scope: { kind: 'all' },
  actor: null,
  ...over,
});
