/** Typed calls to issue 13's data routes: shared homes, bulk import, exports, care figures. */
import {
  XLSX_CONTENT_TYPE,
  type CareFiguresResponse,
  type DeviceResidentListResponse,
  type DeviceResidentResponse,
  type ExportDataset,
  type ImportKind,
  type ImportReport,
} from '@anxin/protocol';
import { API_BASE, ApiRequestError, apiRequest, parseApiError } from './http';

const enc = encodeURIComponent;

const params = (p: Record<string, string | undefined>): string => {
  const entries = Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
};

export const listDeviceResidents = (homeId: string, signal?: AbortSignal) =>
  apiRequest<DeviceResidentListResponse>(
    'GET',
    `/homes/${enc(homeId)}/device-residents`,
    signal ? { signal } : {},
  );

export const setDeviceResident = (gatewayId: string, deviceId: string, residentId: string | null) =>
  apiRequest<DeviceResidentResponse>(
    'PUT',
    `/gateways/${enc(gatewayId)}/devices/${enc(deviceId)}/resident`,
    { body: { residentId } },
  );

/** Where the CSV template of a kind downloads from (a plain link: the browser saves it). */
export const importTemplateUrl = (kind: ImportKind, lang: 'en' | 'zh-CN'): string =>
  `${API_BASE}/import/${enc(kind)}/template${params({ lang })}`;

/** Sends the file as it is (CSV or XLSX by its name); a dry run writes nothing. */
export async function uploadImport(
  kind: ImportKind,
  file: Blob & { name: string },
  options: { dryRun: boolean; encoding: 'utf-8' | 'gb18030' },
): Promise<ImportReport> {
  const xlsx = file.name.toLowerCase().endsWith('.xlsx');
  let response: Response;
  try {
    response = await fetch(
      `${API_BASE}/import/${enc(kind)}${params({ dryRun: String(options.dryRun), encoding: options.encoding })}`,
      {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          accept: 'application/json',
          'content-type': xlsx ? XLSX_CONTENT_TYPE : 'text/csv',
        },
        body: file,
      },
    );
  } catch (error) {
    throw new ApiRequestError(0, null, error instanceof Error ? error.message : 'network error');
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const parsed = parseApiError(body);
    throw new ApiRequestError(response.status, parsed.code, parsed.message ?? response.statusText);
  }
  return body as ImportReport;
}

export const exportUrl = (
  dataset: ExportDataset,
  p: { from: string; to: string; areaId?: string; lang?: 'en' | 'zh-CN' },
) => `${API_BASE}/export/${enc(dataset)}${params(p)}`;

export const getCareFigures = (
  p: { from: string; to: string; areaId?: string },
  signal?: AbortSignal,
) => apiRequest<CareFiguresResponse>('GET', `/care-figures${params(p)}`, signal ? { signal } : {});
