import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { errorBody } from '../query/http-errors.ts';
import { isConsolePath, serveConsole, type ConsoleFiles } from '../console/site.ts';
import type { RequestGuard } from './request-guard.ts';

type QueryHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** Builds the API Gateway HTTP API (payload 2.0) event for a local request. */
export function apiGatewayEvent(method: string, url: URL, headers: Record<string, string>, body?: string): APIGatewayProxyEventV2 {
  // A repeated parameter is joined with commas, as API Gateway does, so the validators refuse it.
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.searchParams.toString(),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: `local-${Date.now()}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

/** Largest request body (a correction is a few hundred bytes). */
const MAX_BODY_BYTES = 64 * 1024;

class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** A request's body as text, undefined when it has none; refused past {@link MAX_BODY_BYTES}. */
function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        // Drained, not kept: the 413 still reaches the client.
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(size === 0 ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * The HTTP API on loopback: each request becomes an API Gateway v2 event for the same query
 * handler as on AWS; `/` and `/console/*` are the review console (no login: loopback only,
 * for the person who started the service).
 */
export async function startHttpApi(
  port: number,
  handler: QueryHandler,
  guard: RequestGuard,
  consoleFiles?: ConsoleFiles,
): Promise<{ server: Server; url: string }> {
  const context = { functionName: 'imr-query-local', awsRequestId: 'local', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
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
    readBody(request)
      .then((body) => handler(apiGatewayEvent(request.method ?? 'GET', url, headers, body), context))
      .then((result) => {
        const answer = result as APIGatewayProxyStructuredResultV2;
        // Answers hold medical records: no cache along the way keeps them.
        response.writeHead(answer.statusCode ?? 200, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          ...(answer.headers as Record<string, string>),
        });
        response.end(answer.isBase64Encoded && answer.body ? Buffer.from(answer.body, 'base64') : (answer.body ?? ''));
      })
      .catch((error: unknown) => {
        const tooLarge = error instanceof BodyTooLargeError;
        response.writeHead(tooLarge ? 413 : 500, { 'content-type': 'application/json', ...(tooLarge ? { connection: 'close' } : {}) });
        response.end(
          tooLarge ? errorBody('PAYLOAD_TOO_LARGE', `a request body is at most ${MAX_BODY_BYTES / 1024} KB`) : errorBody('INTERNAL', 'internal error'),
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
