/**
 * Serves the built web console (a single-page app) and, for any other non-API GET, its
 * index.html so client-side routes survive a reload. Without a build, a plain page says how to
 * make one. API paths and anything with a file extension get the ApiError 404 instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { sendApiError } from './errors.js';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Anxin hub</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Anxin hub is running</h1>
<p>The web console is not built, so there is nothing to show here yet.</p>
<p>Build it from the repository root with <code>npm run build -w web</code> (or <code>npm run build</code>),
then reload this page. The REST API is under <code>/api/v1</code>; health at <code>/healthz</code>.</p>
</body></html>
`;

function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/socket.io');
}

function looksLikeFile(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.includes('.');
}

export async function registerWeb(
  app: FastifyInstance,
  webRoot: string,
  log: Logger,
): Promise<void> {
  const built = existsSync(join(webRoot, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, { root: webRoot, index: ['index.html'], wildcard: true });
    log.info({ webRoot }, 'serving the web console');
  } else {
    log.warn({ webRoot }, 'web console not built: serving a notice instead (npm run build -w web)');
  }
  app.setNotFoundHandler(async (request, reply) => {
    const url = request.url;
    if (
      isApiPath(url) ||
      (request.method !== 'GET' && request.method !== 'HEAD') ||
      looksLikeFile(url)
    ) {
      return sendApiError(
        reply,
        'NOT_FOUND',
        `no route ${request.method} ${url.split('?')[0] ?? ''}`,
      );
    }
    if (!built) return reply.status(200).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
}
