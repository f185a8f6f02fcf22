/**
 * A web page the person happens to open must never reach the local service: not read it, not
 * write to it, not upload to it, not make it stop (spec section 7). Tried as an attacker would:
 * a hostile page served from another origin, opened in Debian's Chromium (playwright-core),
 * auto-submitting forms and calling fetch against the S3 endpoint and the API; DNS rebinding
 * simulated by a host-resolver rule that sends a hostile name to 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startOnFreePorts, LOCAL_INBOX, LOCAL_TEXT_BUCKET, type LocalService } from '../../functions/local/runtime.ts';
import { documentId } from '../../functions/service/ingest.ts';
import { loadGoldenLetters } from '../fixtures/golden.ts';
import { typesetPdf } from '../fixtures/scans.ts';
import { printedLines } from '../fixtures/variants.ts';
import { waitFor } from './harness.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The hostile site's name; the browser resolves it to 127.0.0.1, as a rebinding DNS server would. */
const EVIL = 'evil.test';
const letters = loadGoldenLetters();
const root = mkdtempSync(join(tmpdir(), 'imr-attacks-'));
const lines: string[] = [];
let service: LocalService;
let browser: Browser;
let attacker: Server;
let attackerPort = 0;
/** The hostile page's HTML, set by each test. */
let hostilePage = '<!doctype html><title>nothing</title>';
let letterId = '';
let failedId = '';
let pdfId = '';

/** Every file under `dir` with its size, to prove nothing was written outside the data folder. */
function tree(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

async function api(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${service.endpoints.http}${path}`);
  return { status: response.status, body: await response.json() };
}

async function inboxKeys(): Promise<string[]> {
  const page = await service.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_INBOX }));
  return (page.Contents ?? []).map((object) => object.Key!).sort();
}

/** Opens the hostile page (from the attacker's origin) and waits until it says it is done. */
async function visit(html: string): Promise<Page> {
  hostilePage = html;
  const page = await browser.newPage();
  await page.goto(`http://${EVIL}:${attackerPort}/`);
  await page.waitForFunction(() => (document.title as string) === 'done', undefined, { timeout: 20_000 }).catch(() => undefined);
  return page;
}

beforeAll(async () => {
  // As `npm start` starts it: its OCR lane started with it.
  service = await startOnFreePorts(root, (line) => lines.push(line), { warmOcr: true });
  const text = `${letters[0]!.text}\n\nAttack test copy.\n`;
  letterId = documentId(Buffer.from(text, 'latin1'));
  await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'letters/one.txt', Body: text }));
  const broken = Buffer.from('%PDF-1.7\nnot a PDF body\n');
  failedId = documentId(broken);
  await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'letters/broken.pdf', Body: broken }));
  const pdf = Buffer.from(await typesetPdf(printedLines(letters[2]!.text)));
  pdfId = documentId(pdf);
  await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'letters/two.pdf', Body: pdf }));
  await service.idle();
  attacker = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(hostilePage);
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerPort = (attacker.address() as { port: number }).port;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      `--host-resolver-rules=MAP ${EVIL} 127.0.0.1`,
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  await service?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('a hostile web page against the local service', () => {
  it('cannot upload to, write outside, crash or delete through the S3 endpoint with browser forms', async () => {
    const before = tree(root);
    const keysBefore = await inboxKeys();
    const s3 = service.endpoints.s3;
    const page = await visit(`<!doctype html><title>working</title>
      <iframe name="sink1"></iframe><iframe name="sink2"></iframe><iframe name="sink3"></iframe><iframe name="sink4"></iframe>
      <form id="upload" method="POST" action="${s3}/${LOCAL_INBOX}" enctype="multipart/form-data" target="sink1">
        <input name="key" value="../../../../outside.txt"><textarea name="file">${letters[1]!.text.slice(0, 2000).replace(/[<&]/g, ' ')}</textarea></form>
      <form id="long" method="POST" action="${s3}/${LOCAL_INBOX}" enctype="multipart/form-data" target="sink2">
        <input name="key" value="${'k'.repeat(300)}"><textarea name="file">x</textarea></form>
      <form id="delete" method="POST" action="${s3}/${LOCAL_INBOX}?delete" enctype="text/plain" target="sink3">
        <input name="<Delete><Object><Key>letters/one.txt</Key></Object></Delete><x" value=""></form>
      <form id="put" method="POST" action="${s3}/${LOCAL_INBOX}/planted.txt" enctype="text/plain" target="sink4">
        <input name="letter" value="HOW THE IMR FINAL DETERMINATION WAS MADE"></form>
      <script>
        for (const id of ['upload', 'long', 'delete', 'put']) document.getElementById(id).submit();
        Promise.allSettled([
          fetch('${s3}/${LOCAL_INBOX}/fetched.txt', { method: 'PUT', body: 'planted', mode: 'no-cors' }),
          fetch('${s3}/${LOCAL_INBOX}/letters/one.txt', { method: 'DELETE', mode: 'no-cors' }),
          fetch('${s3}/${LOCAL_INBOX}?list-type=2').then((r) => r.text()),
        ]).then((results) => { window.readBack = results[2]; setTimeout(() => (document.title = 'done'), 1500); });
      </script>`);
    // The listing could not be read by the page.
    expect(await page.evaluate(() => (window as unknown as { readBack: { status: string } }).readBack.status)).toBe('rejected');
    await page.close();
    await service.idle();
    // Nothing uploaded, nothing deleted, nothing written anywhere, and the service still answers.
    expect(await inboxKeys()).toEqual(keysBefore);
    expect(tree(root).filter((path) => !before.includes(path) && !path.includes(`${join('data', 's3')}`) && !path.includes(join('data', 'store')))).toEqual([]);
    expect(() => statSync(join(root, '..', 'outside.txt'))).toThrow();
    expect((await api(`/documents/${letterId}/status`)).body).toMatchObject({ status: 'CLASSIFIED' });
    expect(lines.filter((line) => /outside|planted|fetched/.test(line))).toEqual([]);
  }, 60_000);

  it('cannot read the API: cross-origin reads fail and the service refuses them', async () => {
    const http = service.endpoints.http;
    const page = await visit(`<!doctype html><title>working</title><script>
      Promise.allSettled([
        fetch('${http}/determinations').then((r) => r.text()),
        fetch('${http}/documents/${letterId}/text').then((r) => r.text()),
        fetch('${http}/console/config.json').then((r) => r.text()),
        // What this session's console added: the search over the letters' words, a page's lines, the audit log, the activity.
        fetch('${http}/search?q=determination').then((r) => r.text()),
        fetch('${http}/documents/${pdfId}/pages/1/lines').then((r) => r.text()),
        fetch('${http}/audit').then((r) => r.text()),
        fetch('${http}/activity').then((r) => r.text()),
      ]).then((results) => { window.results = results.map((r) => r.status); document.title = 'done'; });
    </script>`);
    expect(await page.evaluate(() => (window as unknown as { results: string[] }).results)).toEqual(Array(7).fill('rejected'));
    await page.close();
  }, 60_000);

  it('cannot read the API through DNS rebinding: a hostile name resolving to 127.0.0.1 is refused by its Host', async () => {
    const page = await browser.newPage();
    // The hostile name now points at the service's own port: the page is same-origin with it in the browser's eyes.
    const port = new URL(service.endpoints.http).port;
    const response = await page.goto(`http://${EVIL}:${port}/determinations`);
    expect(response?.status()).toBe(403);
    const body = await page.evaluate(() => fetch('/determinations').then(async (r) => ({ status: r.status, text: await r.text() })));
    expect(body.status).toBe(403);
    expect(body.text).toContain('FORBIDDEN_HOST');
    expect(body.text).not.toContain('CM');
    const config = await page.evaluate(() => fetch('/console/config.json').then((r) => r.status));
    expect(config).toBe(403);
    await page.close();
  }, 60_000);

  it('cannot change anything: a form post and a fetch to the change routes are refused, and nothing changes', async () => {
    const http = service.endpoints.http;
    expect((await api(`/documents/${failedId}/status`)).body).toMatchObject({ status: 'FAILED' });
    const page = await visit(`<!doctype html><title>working</title><iframe name="sink"></iframe>
      <form id="retry" method="POST" action="${http}/documents/${failedId}/retry" target="sink"><input name="x" value="1"></form>
      <iframe name="sink2"></iframe>
      <form id="upload" method="POST" action="${http}/documents" enctype="multipart/form-data" target="sink2"><input name="file" value="planted by a web page"></form>
      <script>
        document.getElementById('retry').submit();
        document.getElementById('upload').submit();
        Promise.allSettled([
          fetch('${http}/documents/${failedId}/retry', { method: 'POST', mode: 'no-cors' }),
          // The console's upload route, as a page elsewhere would call it: no session, another origin.
          fetch('${http}/documents', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: 'planted by a web page' }),
          fetch('${http}/determinations/${letterId}', { method: 'PATCH', headers: { 'if-match': '1', 'content-type': 'application/json' }, body: '{"reviewed":true}' }),
          fetch('${http}/uploads', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"fileName":"a.pdf","size":10,"sha256":"${'a'.repeat(64)}"}' }),
        ]).then(() => setTimeout(() => (document.title = 'done'), 1000));
      </script>`);
    await page.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await api(`/documents/${failedId}/status`)).body).toMatchObject({ status: 'FAILED' });
    expect((await api(`/determinations/${letterId}`)).body).toMatchObject({ revision: 1 });
    expect(lines.filter((line) => line.startsWith('retry'))).toEqual([]);
    // Nothing was brought in: no object under the console's prefix, no line about one.
    const listed = await service.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_INBOX, Prefix: 'console/' }));
    expect(listed.KeyCount ?? 0).toBe(0);
    expect(lines.filter((line) => line.includes('console/'))).toEqual([]);
  }, 60_000);

  it('cannot dismiss or delete a document: forms, fetches and a rebinding page are refused, the document, its original and the audit log untouched', async () => {
    const http = service.endpoints.http;
    const port = new URL(http).port;
    const record = async () => (await api(`/documents/${failedId}`)).body as { status: string; dismissal?: unknown };
    expect(await record()).toMatchObject({ status: 'FAILED' });
    expect(await record()).not.toHaveProperty('dismissal');
    // A JSON body a form can forge (enctype text/plain: name + '=' + value), and fetches with every method a page may try.
    const page = await visit(`<!doctype html><title>working</title>
      <iframe name="sink1"></iframe><iframe name="sink2"></iframe>
      <form id="dismiss" method="POST" action="${http}/documents/${failedId}/dismissal" enctype="text/plain" target="sink1">
        <input name='{"note":"dismissed by a web page","x":"' value='"}'></form>
      <form id="delete" method="POST" action="${http}/documents/${failedId}?_method=DELETE" enctype="text/plain" target="sink2">
        <input name='{"note":"deleted by a web page","x":"' value='"}'></form>
      <script>
        document.getElementById('dismiss').submit();
        document.getElementById('delete').submit();
        Promise.allSettled([
          fetch('${http}/documents/${failedId}/dismissal', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"note":"x"}' }),
          fetch('${http}/documents/${failedId}', { method: 'DELETE', body: '{"note":"x"}', headers: { 'content-type': 'application/json', 'x-imr-session': 'guessed' } }),
          fetch('${http}/documents/${failedId}', { method: 'DELETE', mode: 'no-cors' }),
          fetch('${http}/documents/${letterId}/dismissal', { method: 'DELETE' }),
          fetch('${http}/audit').then((r) => r.text()),
        ]).then((results) => { window.results = results.map((r) => r.status); setTimeout(() => (document.title = 'done'), 1000); });
      </script>`);
    // The audit log could not be read either.
    expect(await page.evaluate(() => (window as unknown as { results: string[] }).results)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    await page.close();
    // DNS rebinding: the hostile name is same-origin with the service in the browser's eyes, so the page may send any method and header; the Host says no.
    const rebound = await browser.newPage();
    await rebound.goto(`http://${EVIL}:${port}/`).catch(() => undefined);
    const answers = await rebound.evaluate(async (id) => {
      const statuses: number[] = [];
      const tries: Array<[string, string]> = [
        ['DELETE', `/documents/${id}`],
        ['POST', `/documents/${id}/dismissal`],
      ];
      for (const [method, path] of tries)
        statuses.push(
          (await fetch(path, { method, headers: { 'content-type': 'application/json', 'x-imr-session': 'guessed' }, body: '{"note":"x"}' })).status,
        );
      return statuses;
    }, failedId);
    expect(answers).toEqual([403, 403]);
    await rebound.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Nothing changed: the document, its dismissal, its original, and an empty audit log.
    expect(await record()).toMatchObject({ status: 'FAILED' });
    expect(await record()).not.toHaveProperty('dismissal');
    await expect(service.s3.send(new HeadObjectCommand({ Bucket: LOCAL_INBOX, Key: 'letters/broken.pdf' }))).resolves.toBeDefined();
    expect((await api('/audit')).body).toEqual({ data: [], nextCursor: null });
    expect(lines.filter((line) => line.startsWith('deleted'))).toEqual([]);
  }, 60_000);

  it('lets the console itself change things: its page, opened from a link, gets a session that its changes carry', async () => {
    const page = await browser.newPage();
    await page.goto(`${service.endpoints.http}/`);
    const answer = await page.evaluate(async (id) => {
      const config = (await (await fetch('/console/config.json')).json()) as { session: string };
      const response = await fetch(`/documents/${id}/retry`, { method: 'POST', headers: { 'x-imr-session': config.session } });
      return { status: response.status, body: await response.json() };
    }, failedId);
    expect(answer).toEqual({ status: 202, body: { id: failedId, status: 'RECEIVED' } });
    await page.close();
    // Read again, and (the same broken bytes) failed again with its reason: nothing final by accident, nothing lost.
    await waitFor(async () => (((await api(`/documents/${failedId}/status`)).body as { status: string }).status === 'FAILED' ? true : undefined));
    expect(lines.some((line) => line.startsWith('retry'))).toBe(true);
  }, 60_000);

  it('cannot make the service work through WebSocket handshakes (they carry no Sec-Fetch headers): no page is rendered for it', async () => {
    const port = new URL(service.endpoints.http).port;
    const pageImages = async () =>
      ((await service.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_TEXT_BUCKET, Prefix: `pages/${pdfId}/` }))).Contents ?? []).length;
    expect(await pageImages()).toBe(0);
    const page = await visit(`<!doctype html><title>working</title><script>
      const tries = ['/documents/${pdfId}/pages/1', '/documents/${pdfId}/pages/2', '/console/config.json'].map((path) => new Promise((done) => {
        const socket = new WebSocket('ws://127.0.0.1:${port}' + path);
        socket.onerror = socket.onclose = () => done(path);
      }));
      Promise.all(tries).then(() => setTimeout(() => (document.title = 'done'), 500));
    </script>`);
    await page.close();
    // Had a handshake reached the route, the page would have been rendered and kept beside the text.
    expect(await pageImages()).toBe(0);
    // The console itself still gets its page images.
    expect((await fetch(`${service.endpoints.http}/documents/${pdfId}/pages/1`)).status).toBe(200);
    expect(await pageImages()).toBe(1);
  }, 60_000);
});
