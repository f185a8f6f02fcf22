import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LocalS3Credentials } from './credentials.ts';
import { asS3Error, S3Error } from './errors.ts';
import { refuseBrowserAndForeignRequests } from './guards.ts';
import { expectNoBody, s3Request, wireRequest, type EndpointConfig, type Reply } from './request.ts';
import { route } from './router.ts';
import { verifySignature } from './sigv4.ts';
import type { Storage } from './storage.ts';
import { element } from './xml.ts';

/** What every request is served with. */
export interface ServeContext {
  readonly config: EndpointConfig;
  readonly storage: Storage;
  readonly credentials: LocalS3Credentials;
  readonly hosts: ReadonlySet<string>;
}

/** How long, and how much, an unread body is drained after an error so the client reads the answer instead of a reset. */
const DRAIN_SIGNED = { bytes: Number.POSITIVE_INFINITY, ms: 60_000 };
const DRAIN_REFUSED = { bytes: 1024 * 1024, ms: 2_000 };

/**
 * Serves one request. Never throws: whatever happens (a refusal, a bad body, a full disk, a
 * bug) is answered as S3's XML error, and the endpoint goes on.
 */
export async function serveRequest(context: ServeContext, message: IncomingMessage, response: ServerResponse, expectsContinue: boolean): Promise<void> {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const head = message.method === 'HEAD';
  let operation = 'request';
  let signed = false;
  let continued = !expectsContinue;
  try {
    refuseBrowserAndForeignRequests(message.method ?? '', message.headers, context.hosts);
    const wire = wireRequest(message);
    const signature = verifySignature(wire, { credentials: context.credentials, region: context.config.region, now: Date.now() });
    signed = true;
    const request = s3Request(message, wire, signature);
    const found = route(request, context.config);
    operation = found.name;
    if (!continued) {
      response.writeContinue();
      continued = true;
    }
    if (!found.readsBody) await expectNoBody(request);
    const reply = await found.handle({ config: context.config, storage: context.storage, request });
    await send(response, reply, requestId, head);
  } catch (error) {
    const answer = asS3Error(error);
    // Refusals are told (someone tried); server errors too, by kind only: never a key or a body.
    if (answer.status >= 500 || answer.status === 403)
      context.config.log(
        `local S3: ${message.method} ${operation} answered ${answer.status} ${answer.code}${error instanceof S3Error ? '' : ` (${describe(error)})`}`,
      );
    try {
      // Before the client was told to send its body (100-continue), there is nothing to drain.
      const drained = continued ? await drain(message, signed ? DRAIN_SIGNED : DRAIN_REFUSED) : false;
      sendError(response, answer, requestId, head, !drained);
    } catch {
      response.destroy();
    }
  }
}

/** Writes a reply. */
async function send(response: ServerResponse, reply: Reply, requestId: string, head: boolean): Promise<void> {
  response.statusCode = reply.status;
  response.setHeader('x-amz-request-id', requestId);
  for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
  if (reply.stream) {
    try {
      await pipeline(reply.stream, response);
    } catch {
      // The client went away, or the blob could not be read: the answer is cut short, the endpoint goes on.
      response.destroy();
    }
    return;
  }
  if (reply.body) {
    response.end(head ? undefined : reply.body);
    return;
  }
  if (reply.xml === undefined) {
    response.end();
    return;
  }
  const body = Buffer.from(reply.xml, 'utf8');
  response.setHeader('content-type', 'application/xml');
  response.setHeader('content-length', body.length);
  response.end(head ? undefined : body);
}

/** Writes S3's XML error (no body for HEAD); `close` when the request's body was left unread. */
function sendError(response: ServerResponse, error: S3Error, requestId: string, head: boolean, close: boolean): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  for (const name of response.getHeaderNames()) response.removeHeader(name);
  const body = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${element('Code', error.code)}${element('Message', error.message)}${element('RequestId', requestId)}</Error>`,
    'utf8',
  );
  response.statusCode = error.status;
  response.setHeader('x-amz-request-id', requestId);
  response.setHeader('content-type', 'application/xml');
  if (close) response.setHeader('connection', 'close');
  if (head) {
    response.end();
    return;
  }
  response.setHeader('content-length', body.length);
  response.end(body);
}

/** Reads and discards what is left of a body (within bounds); true when it ended. */
function drain(message: IncomingMessage, limit: { bytes: number; ms: number }): Promise<boolean> {
  if (message.complete) return Promise.resolve(true);
  if (message.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (ended: boolean) => {
      clearTimeout(timer);
      message.off('data', count).off('end', onEnd).off('error', onFail).off('close', onFail);
      resolve(ended);
    };
    const count = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit.bytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onFail = () => finish(message.complete);
    const timer = setTimeout(() => finish(false), limit.ms);
    message.on('data', count).on('end', onEnd).on('error', onFail).on('close', onFail);
    message.resume();
  });
}

/** An unforeseen error by kind and place (its message may quote what it failed on: not logged). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  const where =
    error.stack
      ?.split('\n')
      .find((line) => line.includes('/s3/'))
      ?.trim() ?? '';
  return [error.name, typeof code === 'string' ? code : '', where].filter(Boolean).join(' ');
}

/**
 * A request Node could not parse (headers over 16 KiB, bad framing): answered 400 or 431 with
 * S3's XML, then the connection is closed; the process is never brought down by one.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${element('Code', tooLarge ? 'RequestHeaderSectionTooLarge' : 'BadRequest')}${element('Message', tooLarge ? 'Your request header section exceeds the maximum allowed size.' : 'The request could not be parsed.')}</Error>`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
