/** Turns any failure from the API client into a message in the user's language. */
import type { MessageKey, MessageVars } from '../i18n';
import { errorKey } from '../i18n';
import { ApiRequestError } from './http';

type Translate = (key: MessageKey, vars?: MessageVars) => string;

export function describeError(error: unknown, t: Translate): string {
  if (error instanceof ApiRequestError) {
    if (error.isNetworkError) return t('error.network');
    if (error.code !== null) return t(errorKey(error.code), { message: error.message });
    return t('error.unknown', { status: error.status });
  }
  return t('error.unknown', { status: 0 });
}

/** Login failures get their own wording: a wrong password is not a "session ended". */
export function describeLoginError(error: unknown, t: Translate): string {
  if (error instanceof ApiRequestError) {
    if (error.code === 'UNAUTHENTICATED' || error.status === 401)
      return t('login.error.wrongCredentials');
    if (error.code === 'RATE_LIMITED' || error.status === 429) {
      return error.retryAfterSeconds !== null
        ? t('login.error.rateLimited', { seconds: error.retryAfterSeconds })
        : t('login.error.rateLimitedNoWait');
    }
    if (error.code === 'VALIDATION_FAILED') return t('login.error.missing');
  }
  return describeError(error, t);
}
