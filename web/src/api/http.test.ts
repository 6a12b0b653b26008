import { afterEach, describe, expect, it, vi } from 'vitest';
import { en } from '../i18n/en';
import { translate, type MessageKey, type MessageVars } from '../i18n';
import { describeError, describeLoginError } from './describeError';
import { ApiRequestError, apiRequest, parseApiError } from './http';

const t = (key: MessageKey, vars?: MessageVars) => translate(en, key, vars);

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('parseApiError', () => {
  it('reads the one error shape and nothing else', () => {
    expect(parseApiError({ error: { code: 'CONFLICT', message: 'already resolved' } })).toEqual({
      code: 'CONFLICT',
      message: 'already resolved',
    });
    expect(parseApiError({ error: { code: 'TEAPOT', message: 1 } })).toEqual({
      code: null,
      message: null,
    });
    expect(parseApiError('<html>')).toEqual({ code: null, message: null });
    expect(parseApiError(null)).toEqual({ code: null, message: null });
  });
});

describe('apiRequest', () => {
  it('turns an error answer into ApiRequestError with code and Retry-After', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() =>
        Promise.resolve(
          new Response(JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'slow down' } }), {
            status: 429,
            headers: { 'retry-after': '30' },
          }),
        ),
      ),
    );
    const error: unknown = await apiRequest('POST', '/session', { body: {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      message: 'slow down',
      retryAfterSeconds: 30,
    });
  });

  it('sends JSON with the session cookie and parses the answer', async () => {
    const fetchMock = vi.fn((_url: string, _init: RequestInit) =>
      Promise.resolve(new Response('{"ok":true}', { status: 200 })),
    );
    vi.stubGlobal('fetch', fetchMock);
    await expect(apiRequest('POST', '/alarms/x/acknowledge', { body: {} })).resolves.toEqual({
      ok: true,
    });
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(url).toBe('/api/v1/alarms/x/acknowledge');
    expect(init?.credentials).toBe('same-origin');
    expect(init?.body).toBe('{}');
  });

  it('reports an unreachable hub as a network error, and a non-JSON failure by status', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))),
    );
    const offline: unknown = await apiRequest('GET', '/session').catch((e: unknown) => e);
    expect(offline).toMatchObject({ status: 0, code: null, isNetworkError: true });

    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(new Response('<html>Bad Gateway</html>', { status: 502 }))),
    );
    const proxy: unknown = await apiRequest('GET', '/session').catch((e: unknown) => e);
    expect(proxy).toMatchObject({ status: 502, code: null });
    expect(describeError(proxy, t)).toBe('Unexpected answer from the hub (HTTP 502).');
  });
});

describe('error messages', () => {
  it('says what went wrong at login', () => {
    expect(describeLoginError(new ApiRequestError(401, 'UNAUTHENTICATED', 'bad'), t)).toBe(
      'Wrong username or password.',
    );
    expect(describeLoginError(new ApiRequestError(429, 'RATE_LIMITED', 'slow', 42), t)).toBe(
      'Too many sign-in attempts. Wait 42 s and try again.',
    );
    expect(describeLoginError(new ApiRequestError(429, 'RATE_LIMITED', 'slow'), t)).toBe(
      'Too many sign-in attempts. Wait a minute and try again.',
    );
    expect(describeLoginError(new ApiRequestError(0, null, 'down'), t)).toBe(
      'Cannot reach the hub. Check the network and try again.',
    );
  });

  it('explains a conflict with another operator', () => {
    expect(
      describeError(new ApiRequestError(409, 'CONFLICT', 'already acknowledged by Wang'), t),
    ).toBe('Someone else already changed this alarm: already acknowledged by Wang');
  });
});
