import { createServer, type IncomingMessage, type Server } from 'node:http';
import { errorBody } from '../query/http-errors.ts';
import type { WireAnswer } from '../query/query-handler.ts';
import { JsonPieces, type ApiRequest } from '../query/routes.ts';
import { isConsolePath, serveConsole, type ConsoleFiles } from '../console/site.ts';
import type { RequestGuard } from './request-guard.ts';

/** What the local API answers with: the route table's answer to one request (see `answerRequest`). */
export type LocalApi = (request: ApiRequest) => Promise<WireAnswer>;

/** The query string as API Gateway gives it to the routes: a repeated parameter joined with commas, so the validators refuse it. */
function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  return query;
}

/** Largest request body (a correction is a few hundred bytes). */
const MAX_BODY_BYTES = 64 * 1024;
/** Largest upload through the console (`POST /documents`): a long fax is a few MB; larger files go in the inbox folder or bucket. */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** A request's body, undefined when it has none; refused past `max` bytes. */
function readBody(request: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new BodyTooLargeError());
        // Drained, not kept: the 413 still reaches the client.
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(size === 0 ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * The HTTP API on loopback: each request is answered by the route table directly (the same
 * routes and handlers as the AWS query function); `/` and `/console/*` are the review console
 * (no login: loopback only, for the person who started the service).
 */
export async function startHttpApi(port: number, api: LocalApi, guard: RequestGuard, consoleFiles?: ConsoleFiles): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    let url: URL;
    try {
      // Only a path is a request target here; an absolute-form target (`http://a:99999/x`) or junk is refused, never thrown.
      if (!(request.url ?? '/').startsWith('/')) throw new TypeError('not an origin-form request target');
      url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(errorBody('BAD_REQUEST', 'the request target must be a path such as /determinations'));
      return;
    }
    const consolePage = url.pathname === '/' || url.pathname === '/index.html';
    const refused = guard.check(request.method ?? 'GET', url.pathname, request.headers, consolePage);
    if (refused) {
      // Drained, not read: a refused request's body is never looked at.
      request.resume();
      response.writeHead(refused.status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      response.end(errorBody(refused.code, refused.message));
      return;
    }
    if (consoleFiles && isConsolePath(url.pathname) && (request.method === 'GET' || request.method === 'HEAD')) {
      // The console's settings carry a new session token: only our own origin can read the answer.
      const answer = serveConsole(url.pathname, consoleFiles, {
        auth: null,
        ...(url.pathname === '/console/config.json' ? { session: guard.issueSession() } : {}),
      });
      response.writeHead(answer.statusCode, answer.headers);
      response.end(request.method === 'HEAD' ? undefined : answer.body);
      return;
    }
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    // A client that goes away before its answer is written aborts the work for it (a long export stops).
    const gone = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) gone.abort();
    });
    const upload = request.method === 'POST' && url.pathname === '/documents';
    readBody(request, upload ? MAX_UPLOAD_BYTES : MAX_BODY_BYTES)
      .then((body) =>
        api({
          method: request.method ?? 'GET',
          path: url.pathname,
          query: queryOf(url),
          headers,
          // An upload's bytes stay bytes; any other body is text (JSON).
          ...(upload ? { bytes: body } : { body: body?.toString('utf8') }),
          signal: gone.signal,
        }),
      )
      .then((answer) => {
        if (!(answer.body instanceof JsonPieces)) {
          response.writeHead(answer.statusCode, answer.headers);
          response.end(answer.body);
          return;
        }
        // A list's pieces go out in one write of many buffers (corked), its length known beforehand.
        response.writeHead(answer.statusCode, { ...answer.headers, 'content-length': String(answer.body.byteLength) });
        response.cork();
        for (const piece of answer.body.pieces) response.write(piece);
        response.end();
      })
      .catch((error: unknown) => {
        const tooLarge = error instanceof BodyTooLargeError;
        response.writeHead(tooLarge ? 413 : 500, { 'content-type': 'application/json', ...(tooLarge ? { connection: 'close' } : {}) });
        response.end(
          tooLarge
            ? errorBody(
                'PAYLOAD_TOO_LARGE',
                upload
                  ? `an upload is at most ${MAX_UPLOAD_BYTES / 1048576} MB: put a larger file in the inbox folder`
                  : `a request body is at most ${MAX_BODY_BYTES / 1024} KB`,
              )
            : errorBody('INTERNAL', 'internal error'),
        );
      });
  });
  // A malformed request line or header ends that connection with a 400, never the service.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, url: `http://127.0.0.1:${port}` };
}
