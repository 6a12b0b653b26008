/**
 * The one fetch wrapper for the hub's REST API (same origin, /api/v1, session cookie). Every
 * failure becomes an ApiRequestError carrying the hub's stable error code (protocol/realtime.ts),
 * so the UI can say exactly what went wrong in the user's language.
 */
import { API_ERROR_CODES, type ApiErrorCode } from '@anxin/protocol';

export const API_BASE = '/api/v1';

export class ApiRequestError extends Error {
  constructor(
    /** HTTP status, or 0 when the hub could not be reached at all. */
    readonly status: number,
    /** The hub's stable code, or null for network failures and answers without the ApiError shape. */
    readonly code: ApiErrorCode | null,
    message: string,
    /** Seconds from a Retry-After header (RATE_LIMITED), when the hub sent one. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }

  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && (API_ERROR_CODES as readonly string[]).includes(value);
}

/** Reads `{ error: { code, message } }` from an untrusted body; anything else yields nulls. */
export function parseApiError(body: unknown): {
  code: ApiErrorCode | null;
  message: string | null;
} {
  if (!isRecord(body) || !isRecord(body.error)) return { code: null, message: null };
  const { code, message } = body.error;
  return {
    code: isApiErrorCode(code) ? code : null,
    message: typeof message === 'string' ? message : null,
  };
}

function parseRetryAfter(header: string | null): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : null;
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

/** Performs one request and returns the parsed JSON body (undefined for 204). */
export async function apiRequest<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
    signal: options.signal ?? null,
  };
  if (options.body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiRequestError(0, null, error instanceof Error ? error.message : 'network error');
  }
  if (response.status === 204) return undefined as T;
  let body: unknown = null;
  const text = await response.text();
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    const parsed = parseApiError(body);
    throw new ApiRequestError(
      response.status,
      parsed.code,
      parsed.message ?? response.statusText,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
  return body as T;
}
