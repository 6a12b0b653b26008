/**
 * The one REST error shape (protocol/src/realtime.ts ApiError) for every failure: our own errors,
 * Fastify's validation, body-size, media-type and JSON errors, unknown routes and crashes.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ApiError, ApiErrorCode } from '@anxin/protocol';

const STATUS: Record<ApiErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  UNKNOWN_COMMAND: 400,
  ARG_OUT_OF_RANGE: 400,
  INTERNAL: 500,
  CLAIM_CODE_INVALID: 404,
  CLAIM_CODE_USED: 409,
  CLAIM_NONCE_INVALID: 401,
  GATEWAY_DECOMMISSIONED: 410,
  GATEWAY_NOT_DECOMMISSIONED: 409,
  IMPORT_IN_PROGRESS: 409,
};

export class HttpError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: { path: string; message: string }[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export function sendApiError(
  reply: FastifyReply,
  code: ApiErrorCode,
  message: string,
  details?: ApiError['error']['details'],
): FastifyReply {
  const body: ApiError = { error: { code, message, ...(details ? { details } : {}) } };
  return reply.status(STATUS[code]).type('application/json; charset=utf-8').send(body);
}

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** JSON pointer of the offending field, naming the missing or extra property itself. */
function pathOf(e: AjvLikeError): string {
  const base = e.instancePath ?? '';
  const param = (name: string): string | undefined => {
    const v = e.params?.[name];
    return typeof v === 'string' ? v : undefined;
  };
  if (e.keyword === 'required' && param('missingProperty'))
    return `${base}/${param('missingProperty')}`;
  if (e.keyword === 'additionalProperties' && param('additionalProperty'))
    return `${base}/${param('additionalProperty')}`;
  return base || '/';
}

const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
};

export function errorHandler(log: Logger, onError: (code: ApiErrorCode) => void) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    let code: ApiErrorCode;
    let message: string;
    let details: ApiError['error']['details'];
    if (err instanceof HttpError) {
      code = err.code;
      message = err.message;
      details = err.details;
      if (err.headers) void reply.headers(err.headers);
    } else if (err.validation) {
      code = 'VALIDATION_FAILED';
      details = (err.validation as AjvLikeError[]).map((e) => ({
        path: pathOf(e),
        message: e.message ?? 'invalid',
      }));
      message = `invalid ${err.validationContext ?? 'request'}: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`;
    } else if (err.code && FASTIFY_CODES[err.code]) {
      code = FASTIFY_CODES[err.code] ?? 'VALIDATION_FAILED';
      message =
        code === 'VALIDATION_FAILED' ? `malformed request body: ${err.message}` : err.message;
    } else if (
      err instanceof SyntaxError ||
      (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)
    ) {
      code =
        err.statusCode === 413
          ? 'PAYLOAD_TOO_LARGE'
          : err.statusCode === 415
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : 'VALIDATION_FAILED';
      message = err.message;
    } else {
      code = 'INTERNAL';
      message = 'internal error';
      log.error({ err, method: request.method, url: request.url }, 'request failed');
    }
    onError(code);
    return sendApiError(reply, code, message, details);
  };
}
