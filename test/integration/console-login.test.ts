/**
 * The console's sign-in on AWS, in a real browser: authorization code with PKCE against a
 * stand-in of Cognito's hosted sign-in (its /oauth2/authorize and /oauth2/token endpoints,
 * with their CORS), and a stand-in of API Gateway's JWT authoriser in front of the real local
 * API: no data without the token the sign-in issued.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type Browser } from 'playwright-core';
import { launchChromium } from './browser-pages.ts';
import { startOnFreePorts, LOCAL_INBOX, type LocalService } from '../../functions/local/runtime.ts';
import { buildConsole } from '../../functions/console/build.ts';
import { serveConsole, type ConsoleFiles } from '../../functions/console/site.ts';
import { documentId } from '../../functions/service/ingest.ts';
import { loadGoldenLetters } from '../fixtures/golden.ts';

const CLIENT_ID = 'console-client-1';
const root = mkdtempSync(join(tmpdir(), 'imr-login-'));
let service: LocalService;
let browser: Browser;
let signIn: Server;
let gateway: Server;
let signInUrl = '';
let consoleUrl = '';
const codes = new Map<string, { challenge: string; redirectUri: string }>();
const issued = new Set<string>();
const refused: string[] = [];

function base64Url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

beforeAll(async () => {
  service = await startOnFreePorts(root, () => undefined);
  const text = `${loadGoldenLetters()[2]!.text}\n\nLogin copy.\n`;
  await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'login/letter.txt', Body: text }));
  await service.idle();
  expect((await (await fetch(`${service.endpoints.http}/documents/${documentId(Buffer.from(text, 'latin1'))}/status`)).json()).status).toBe('CLASSIFIED');

  // Cognito's hosted sign-in, as the console uses it: the person is signed in at once.
  signIn = createServer((request, response) => {
    const url = new URL(request.url ?? '/', signInUrl);
    if (url.pathname === '/oauth2/authorize') {
      const q = url.searchParams;
      if (
        q.get('response_type') !== 'code' ||
        q.get('client_id') !== CLIENT_ID ||
        q.get('code_challenge_method') !== 'S256' ||
        !q.get('code_challenge') ||
        !q.get('state')
      ) {
        response.writeHead(400).end('bad authorize request');
        return;
      }
      const code = base64Url(randomBytes(16));
      codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')! });
      response.writeHead(302, { location: `${q.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(q.get('state')!)}` }).end();
      return;
    }
    if (url.pathname === '/oauth2/token' && request.method === 'POST') {
      void body(request).then((text) => {
        const form = new URLSearchParams(text);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const cors = { 'access-control-allow-origin': consoleUrl, 'content-type': 'application/json' };
        // PKCE: the verifier must hash to the challenge sent with the authorize request.
        if (
          !grant ||
          form.get('grant_type') !== 'authorization_code' ||
          form.get('client_id') !== CLIENT_ID ||
          form.get('redirect_uri') !== grant.redirectUri ||
          base64Url(
            createHash('sha256')
              .update(form.get('code_verifier') ?? '')
              .digest(),
          ) !== grant.challenge
        ) {
          response.writeHead(400, cors).end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        const idToken = [{ alg: 'RS256' }, { email: 'pat@example.com', aud: CLIENT_ID, exp: Math.floor(Date.now() / 1000) + 3600 }, 'signature']
          .map((part) => base64Url(Buffer.from(typeof part === 'string' ? part : JSON.stringify(part))))
          .join('.');
        issued.add(idToken);
        response.writeHead(200, cors).end(JSON.stringify({ id_token: idToken, access_token: 'access', token_type: 'Bearer', expires_in: 3600 }));
      });
      return;
    }
    response.writeHead(404).end();
  });
  signInUrl = await listen(signIn);

  // API Gateway: the console's files without a login, every other route only with an issued token.
  const files: ConsoleFiles = await buildConsole();
  gateway = createServer((request, response) => {
    const url = new URL(request.url ?? '/', consoleUrl);
    if (url.pathname === '/' || url.pathname.startsWith('/console/')) {
      const answer = serveConsole(url.pathname, files, { auth: { domain: signInUrl, clientId: CLIENT_ID, redirectUri: `${consoleUrl}/` } });
      response.writeHead(answer.statusCode, answer.headers).end(answer.body);
      return;
    }
    const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!issued.has(token)) {
      refused.push(url.pathname);
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Unauthorized' }));
      return;
    }
    void fetch(`${service.endpoints.http}${url.pathname}${url.search}`).then(async (answer) => {
      response
        .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
        .end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  consoleUrl = await listen(gateway);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([signIn, gateway].map((server) => new Promise((done) => server?.close(done))));
  await service?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the console behind a login', () => {
  it('sends a person to the sign-in, trades the code with its PKCE verifier, and calls the API with the token', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${consoleUrl}/#/stats`);
    await page.locator('figure.chart').first().waitFor();
    // Back where the person was going, signed in, with the code gone from the address.
    expect(new URL(page.url()).hash).toBe('#/stats');
    expect(new URL(page.url()).search).toBe('');
    expect(await page.locator('header.top .who').innerText()).toContain('pat@example.com');
    await page.goto(`${consoleUrl}/#/`);
    await page.locator('table.queue tbody tr', { hasText: 'letter.txt' }).waitFor();
    expect(refused, JSON.stringify(refused)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('refuses a sign-in answer that does not match the request it sent (state)', async () => {
    const page = await browser.newPage();
    await page.goto(`${consoleUrl}/?code=stolen&state=forged`);
    await expect.poll(() => page.locator('#app').innerText()).toMatch(/does not match this browser session/);
    await page.close();
  }, 30_000);

  it('gives no data to a request without the token', async () => {
    expect((await fetch(`${consoleUrl}/determinations`)).status).toBe(401);
  });
});
