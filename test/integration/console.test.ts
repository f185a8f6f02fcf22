/**
 * The review console in a real browser (Debian's Chromium driven by playwright-core) against
 * the real local service: the loop a reviewer follows, from the queue to a confirmed letter,
 * checked through the console and through the API and webhooks behind it; accessibility with
 * axe-core; the CSP holds (any violation is a console error, and none is allowed).
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { type Browser, type Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { startOnFreePorts, LOCAL_INBOX, type LocalService } from '../../functions/local/runtime.ts';
import { documentId } from '../../functions/service/ingest.ts';
import { loadGoldenLetters } from '../fixtures/golden.ts';
import { printedLines } from '../fixtures/variants.ts';
import { renderScan, typesetPdf } from '../fixtures/scans.ts';
import { zip } from '../fixtures/hostile.ts';
import { waitFor } from './harness.ts';
import { launchChromium, seriousViolations, watchedPage } from './browser-pages.ts';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it). */
/** Where the screenshots go, to be looked at (`IMR_SCREENSHOTS=docs/screenshots` refreshes the README's). */
const SHOTS = resolve(process.env.IMR_SCREENSHOTS ?? join(tmpdir(), 'imr-console-screenshots'));
const letters = loadGoldenLetters();
const secret = `whsec_${Buffer.from('console-webhook-secret-for-tests').toString('base64')}`;
const root = mkdtempSync(join(tmpdir(), 'imr-console-'));

let service: LocalService;
let browser: Browser;
let receiver: Server;
const events: Array<{ type: string; data: { id: string; revision?: number; changes?: unknown[] } }> = [];
const browserErrors: string[] = [];
/** The ids of the files the upload test brings in (the letter first). */
const uploaded: string[] = [];
/** A Word document saved where a PDF was wanted: the reader tells it apart, and the console says to save it as PDF. */
const wordDocument = zip('word/document.xml', Buffer.from('<w:document><w:body><w:p>Final Determination</w:p></w:body></w:document>'));
/** Every answer of 400 or more the browser got, by path. */
const failedRequests: string[] = [];

/** A letter cut off in its last item: read, flagged INCOMPLETE, in the queue. */
const flaggedText = letters[1]!.text.slice(0, Math.floor(letters[1]!.text.length * 0.8));
const flaggedId = documentId(Buffer.from(flaggedText, 'latin1'));
const cleanText = `${letters[0]!.text}\n\nConsole copy.\n`;
const cleanId = documentId(Buffer.from(cleanText, 'latin1'));
const unrecognizedText = 'INVOICE 4471\nOffice supplies, 12 boxes of paper, net 30 days.\n';
const failedBytes = Buffer.from('%PDF-1.7\nthis is not a PDF body at all\n');
let scanId = '';

async function status(id: string): Promise<string | undefined> {
  const response = await fetch(`${service.endpoints.http}/documents/${id}/status`);
  if (response.status !== 200) return undefined;
  const body = (await response.json()) as { status: string };
  return ['CLASSIFIED', 'UNRECOGNIZED', 'FAILED'].includes(body.status) ? body.status : undefined;
}

async function put(key: string, body: string | Buffer): Promise<void> {
  await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: key, Body: body }));
}

function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  return watchedPage(browser, viewport, browserErrors, failedRequests);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      events.push(new Webhook(secret).verify(Buffer.concat(chunks).toString('utf8'), headers) as (typeof events)[number]);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const address = receiver.address() as { port: number };
  service = await startOnFreePorts(root, () => undefined, {
    webhookUrl: `http://127.0.0.1:${address.port}/hook`,
    webhookSecret: secret,
    reviewer: 'Pat Reviewer',
  });
  const [scan] = (await renderScan(printedLines(letters[3]!.text), 'scanned-pdf', 5)).files;
  scanId = documentId(scan!);
  await put('faxes/flagged 0612.txt', flaggedText);
  await put('clean.txt', cleanText);
  await put('misc/invoice.txt', unrecognizedText);
  await put('misc/broken.pdf', failedBytes);
  await put('scans/scanned letter.pdf', scan!);
  for (const id of [flaggedId, cleanId, documentId(Buffer.from(unrecognizedText)), documentId(failedBytes), scanId]) await waitFor(() => status(id), 120_000);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  await new Promise((done) => receiver?.close(done));
  rmSync(root, { recursive: true, force: true });
});

describe('the review console', () => {
  it('is served with a strict Content-Security-Policy and no inline code', async () => {
    const response = await fetch(`${service.endpoints.http}/`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await response.text()).not.toMatch(/<script>|<style>|style=/);
    const script = await fetch(`${service.endpoints.http}/console/app.js`);
    expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    // Bundled: nothing is fetched from another host.
    expect(await script.text()).not.toMatch(/https?:\/\/(?:cdn|unpkg|esm\.sh)/);
  });

  it('takes a reviewer from the queue to a corrected, confirmed letter by keyboard', async () => {
    const page = await newPage();
    await page.goto(`${service.endpoints.http}/`);
    const row = page.locator('table.queue tbody tr', { hasText: 'flagged 0612.txt' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain('Needs review');
    // Letters needing review come first.
    expect(await page.locator('table.queue tbody tr').first().innerText()).toContain('Needs review');
    await page.screenshot({ path: join(SHOTS, 'queue.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    // The rows are a grid with one tab stop: the arrows move the selection and the focus together.
    const gridRows = page.locator('table.queue tbody tr');
    expect(await gridRows.count()).toBeGreaterThan(1);
    expect(await page.locator('table.queue tbody tr[tabindex="0"]').count()).toBe(1);
    await gridRows.first().focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-selected'))).toBe('true');
    expect(await page.evaluate(() => document.activeElement === document.querySelectorAll('table.queue tbody tr')[1])).toBe(true);
    expect(await page.locator('table.queue tbody tr[tabindex="0"]').count()).toBe(1);
    await page.keyboard.press('Home');
    expect(await page.evaluate(() => document.activeElement === document.querySelector('table.queue tbody tr'))).toBe(true);

    await row.click();
    await page.locator('article.item').first().waitFor();
    expect(await page.locator('h1').innerText()).toBe('flagged 0612.txt');
    // The flag is explained in words, and the letter's text is beside its items.
    expect(await page.locator('.warnings').innerText()).toMatch(/cut short/i);
    await page.locator('pre.letter-text').waitFor();
    await page.screenshot({ path: join(SHOTS, 'letter.png') });
    expect(await seriousViolations(page)).toEqual([]);

    const before = (await (await fetch(`${service.endpoints.http}/determinations/${flaggedId}`)).json()) as {
      revision: number;
      items: Array<{ decision: string }>;
    };
    const flipped = before.items[0]!.decision === 'UPHELD' ? 'OVERTURNED' : 'UPHELD';
    await page.keyboard.press(flipped === 'UPHELD' ? 'u' : 'o');
    expect(await page.locator(`#item-0 input[type=radio][value=${flipped}]`).isChecked()).toBe(true);
    expect(await page.locator('#item-0 .badge.info').innerText()).toBe('changed');
    await page.keyboard.press('c');
    await page.getByRole('status').filter({ hasText: 'Confirmed' }).waitFor();

    const after = (await (await fetch(`${service.endpoints.http}/determinations/${flaggedId}`)).json()) as {
      revision: number;
      needsReview: boolean;
      reviewedBy: string;
      items: Array<{ decision: string }>;
    };
    expect(after).toMatchObject({ revision: before.revision + 1, needsReview: false, reviewedBy: 'Pat Reviewer' });
    expect(after.items[0]!.decision).toBe(flipped);
    await waitFor(async () => (events.some((event) => event.type === 'determination.reviewed' && event.data.id === flaggedId) ? true : undefined), 10_000);
    expect(events.find((event) => event.type === 'determination.reviewed' && event.data.id === flaggedId)!.data).toMatchObject({
      revision: after.revision,
      changes: expect.arrayContaining([expect.objectContaining({ path: 'items[0].decision', to: flipped })]),
    });

    // It has left the queue of letters needing review.
    await page.goto(`${service.endpoints.http}/#/`);
    // The whole list shows it confirmed first; only then is the filter changed, so the check below
    // cannot pass on the list as it was before the filter took effect.
    await page.locator('table.queue tbody tr', { hasText: 'flagged 0612.txt' }).filter({ hasText: 'Confirmed by Pat Reviewer' }).waitFor();
    await page.locator('select[name=review]').selectOption('needs');
    const rows = page.locator('table.queue tbody tr');
    await expect
      .poll(async () =>
        (await rows.count()) > 0 ? (await rows.filter({ hasNotText: 'Needs review' }).count()) === 0 : (await page.locator('.empty').count()) === 1,
      )
      .toBe(true);
    expect(await rows.filter({ hasText: 'flagged 0612.txt' }).count()).toBe(0);
    await page.locator('select[name=review]').selectOption('all');

    // The history shows the change and who made it.
    await page.goto(`${service.endpoints.http}/#/letters/${flaggedId}/history`);
    const history = page.locator('section.history li', { hasText: `Revision ${after.revision}` });
    await history.first().waitFor();
    // In the screen's words: the item as the screen numbers it, the confirmation as a change, revision 1 the service's reading.
    expect(await history.first().innerText()).toMatch(new RegExp(`Item 1 decision: .* → ${flipped}`));
    expect(await history.first().innerText()).toContain('Confirmed by: — → Pat Reviewer');
    expect(await page.locator('section.history li', { hasText: 'Revision 1' }).innerText()).toMatch(
      /the service \(imr engine [\d.]+\)[\s\S]*First reading by the service/,
    );
    await page.screenshot({ path: join(SHOTS, 'history.png') });
    await page.close();
  }, 120_000);

  it('takes a letter from upload to confirmed with no terminal: the button, its progress, the letter read, confirmed', async () => {
    const page = await newPage();
    await page.goto(`${service.endpoints.http}/`);
    await page.getByRole('button', { name: 'Upload letters' }).waitFor();
    const text = `${letters[2]!.text}\n\nBrought in through the console.\n`;
    const id = documentId(Buffer.from(text));
    uploaded.push(id, documentId(Buffer.from('%PDF-1.7\n%%EOF')));
    // Two files at once: a letter, and a file that is no letter at all.
    await page.getByLabel('Letters to upload').setInputFiles([
      { name: 'letter from the fax tray.txt', mimeType: 'text/plain', buffer: Buffer.from(text) },
      { name: 'empty.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n%%EOF') },
    ]);
    const brought = page.locator('.brought li', { hasText: 'letter from the fax tray.txt' });
    await brought.getByRole('link', { name: 'Open' }).waitFor({ timeout: 60_000 });
    await page.locator('.brought li', { hasText: 'empty.pdf' }).locator('.error').waitFor({ timeout: 60_000 });
    expect(await page.locator('.brought li', { hasText: 'empty.pdf' }).innerText()).toMatch(/Not read: not a readable PDF/);
    await page.screenshot({ path: join(SHOTS, 'upload.png') });
    expect(await seriousViolations(page)).toEqual([]);
    // The queue shows the letter as soon as it is read, with its file name.
    await page.locator('table.queue tbody tr', { hasText: 'letter from the fax tray.txt' }).waitFor();
    // Who brought it and when are kept with it.
    const record = (await (await fetch(`${service.endpoints.http}/documents/${id}`)).json()) as { status: string; source: Record<string, string> };
    expect(record).toMatchObject({ status: 'CLASSIFIED', source: { channel: 'console', sender: 'Pat Reviewer', fileName: 'letter from the fax tray.txt' } });
    await brought.getByRole('link', { name: 'Open' }).click();
    await page.locator('article.item').first().waitFor();
    await page.getByRole('button', { name: /Confirm letter/ }).click();
    await page.getByRole('status').filter({ hasText: 'Confirmed' }).waitFor();
    expect(await (await fetch(`${service.endpoints.http}/determinations/${id}`)).json()).toMatchObject({ reviewedBy: 'Pat Reviewer', needsReview: false });
    for (const [width, name] of [
      [820, 'upload-tablet.png'],
      [390, 'upload-phone.png'],
    ] as const) {
      const narrow = await newPage({ width, height: 900 });
      await narrow.goto(`${service.endpoints.http}/`);
      await narrow.getByRole('button', { name: 'Upload letters' }).waitFor();
      await narrow.locator('table.queue tbody tr').first().waitFor();
      // Nothing wider than the screen: the queue fits a tablet, and is a list of cards on a phone.
      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await narrow.screenshot({ path: join(SHOTS, name), fullPage: true });
      await narrow.close();
    }
    await page.close();
  });

  it('shows the pages of a scanned letter beside its items, at the width of a tablet too', async () => {
    const page = await newPage({ width: 820, height: 1180 });
    await page.goto(`${service.endpoints.http}/#/letters/${scanId}`);
    const image = page.locator('.page-pane img');
    await image.waitFor();
    await expect.poll(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBeGreaterThan(500);
    await page.keyboard.press(']');
    await expect.poll(() => page.locator('.pager span').innerText()).toMatch(/^Page 2 of \d/);
    await expect.poll(() => image.evaluate((element) => (element as HTMLImageElement).alt)).toBe('Page 2 of the letter as received');
    await expect
      .poll(() => image.evaluate((element) => (element as HTMLImageElement).complete && (element as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(500);
    await page.screenshot({ path: join(SHOTS, 'letter-tablet.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows the deadlines a letter sets, and moves them when a person sets the day it was received', async () => {
    const page = await newPage();
    await page.goto(`${service.endpoints.http}/#/letters/${scanId}`);
    const deadlines = page.locator('section.deadlines');
    await deadlines.waitFor();
    // Received today: the days left are said beside each deadline.
    expect(await deadlines.innerText()).toMatch(/Authorize by .*\d{4}-\d{2}-\d{2}\s+(?:\d+ days? left|due today) · items 3, 4/);
    await page.getByLabel('Received on').fill('2014-11-26');
    await page.locator('h1').click();
    await page.keyboard.press('s');
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    // Thanksgiving and the day after are skipped.
    expect(await deadlines.innerText()).toContain('Authorize by Fri 2014-12-05');
    // Long past: said in words and colour, never like an open deadline.
    expect(await deadlines.locator('.due.overdue').first().innerText()).toMatch(/^\d+ days overdue$/);
    const stored = (await (await fetch(`${service.endpoints.http}/determinations/${scanId.slice(0, 12)}`)).json()) as {
      receivedOn: string;
      deadlines: Array<{ kind: string; due: string; overdue?: boolean }>;
    };
    expect(stored.receivedOn).toBe('2014-11-26');
    expect(stored.deadlines.find((deadline) => deadline.kind === 'AUTHORIZE')).toMatchObject({ due: '2014-12-05', overdue: true });
    await page.screenshot({ path: join(SHOTS, 'deadlines.png') });
    await page.close();
  }, 60_000);

  it('filters the queue to overdue letters and orders it by the next open deadline', async () => {
    // After the test above, the scanned letter's day received is 2014-11-26: its deadlines have passed.
    const page = await newPage();
    await page.goto(`${service.endpoints.http}/`);
    const rows = page.locator('table.queue tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(1);
    await page.locator('select[name="due"]').selectOption('overdue');
    await expect.poll(async () => (await rows.allInnerTexts()).every((text) => text.includes('Overdue since'))).toBe(true);
    expect((await rows.allInnerTexts()).some((text) => text.includes('scanned letter.pdf'))).toBe(true);
    await page.locator('select[name="due"]').selectOption('');
    await page.locator('select[name="sort"]').selectOption('due');
    // The letter with the nearest open deadline comes first; letters with none open come after.
    await expect.poll(async () => /\bdays? left\b|\bdue today\b/.test(await rows.first().innerText())).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator('select[name="sort"]').selectOption('queue');
    await page.close();
  }, 60_000);

  it('keeps unsaved changes through a reload of the page, for that letter only', async () => {
    const page = await newPage();
    await page.goto(`${service.endpoints.http}/#/letters/${cleanId}`);
    await page.locator('article.item').first().waitFor();
    await page.getByLabel('Request').first().fill('Flexeril 7.5mg one BID prn #60 (checked)');
    await page.locator('h1').click();
    // Kept once the page has drawn the change (an effect after rendering writes it).
    await expect.poll(() => page.evaluate((key) => sessionStorage.getItem(key), `imr.draft.${cleanId}`)).toContain('(checked)');
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'unsaved changes' }).waitFor();
    expect(await page.getByLabel('Request').first().inputValue()).toBe('Flexeril 7.5mg one BID prn #60 (checked)');
    // Another letter opens clean.
    await page.goto(`${service.endpoints.http}/#/letters/${scanId}`);
    // The other letter drawn (not the one before, still on screen for a moment after the address changed).
    await expect.poll(() => page.locator('h1').innerText()).toBe('scanned letter.pdf');
    await page.locator('article.item').first().waitFor();
    expect(await page.locator('.badge.info').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('lists the documents that failed or were not recognized, with their reasons', async () => {
    const page = await newPage();
    await page.goto(`${service.endpoints.http}/#/problems`);
    const failed = page.locator('section', { hasText: 'Could not be read' }).locator('tbody tr', { hasText: 'broken.pdf' });
    const unrecognized = page.locator('section', { hasText: 'Not an IMR Final Determination' }).locator('tbody tr', { hasText: 'invoice.txt' });
    await failed.waitFor();
    await unrecognized.waitFor();
    expect((await failed.innerText()).length).toBeGreaterThan('broken.pdf'.length + 20);
    expect(await unrecognized.innerText()).toMatch(/Unrecognized/);
    // The tab says how many need a person: as many as the lists hold.
    const listed = await page.locator('section tbody tr').count();
    await expect.poll(async () => page.locator('nav .tab-count').innerText()).toBe(String(listed));
    await page.screenshot({ path: join(SHOTS, 'problems.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    // Retry reads it again from the stored original (through the API, with the page's session); the same broken bytes fail again, listed once.
    const before = (await (await fetch(`${service.endpoints.http}/documents/${documentId(failedBytes)}/status`)).json()) as { updatedAt: string };
    await failed.getByRole('button', { name: /^Retry / }).click();
    await expect
      .poll(
        async () =>
          (await (await fetch(`${service.endpoints.http}/documents/${documentId(failedBytes)}/status`)).json()) as { status: string; updatedAt: string },
        { timeout: 20_000 },
      )
      .toMatchObject({ status: 'FAILED', updatedAt: expect.not.stringMatching(before.updatedAt) });
    // Listed again once the console sees the store change: it asks every 2 s (live.ts POLL_MS), so the row may take that long to come back.
    await expect.poll(() => failed.count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('draws the stats as charts that follow the corrections, with CSV exports', async () => {
    const page = await newPage();
    await page.goto(`${service.endpoints.http}/#/stats`);
    await page.locator('figure.chart svg').first().waitFor();
    const stats = (await (await fetch(`${service.endpoints.http}/stats?groupBy=category`)).json()) as { data: Array<{ key: string; total: number }> };
    const table = await page.locator('figure.chart').first().locator('table').innerText();
    for (const row of stats.data) expect(table).toContain(String(row.total));
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Items as CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^imr-items-\d{4}-\d{2}-\d{2}\.csv$/);
    await page.screenshot({ path: join(SHOTS, 'stats.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);

  it('says what went wrong with each problem in words, and what to do: a Word document is told to be saved as PDF', async () => {
    await put('from the court/decision letter.docx', wordDocument);
    await waitFor(() => status(documentId(wordDocument)), 60_000);
    const page = await newPage();
    await page.goto(`${service.endpoints.http}/#/problems`);
    const row = page.locator('section', { hasText: 'Could not be read' }).locator('tbody tr', { hasText: 'decision letter.docx' });
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toMatch(/A Word document is not read/);
    expect(text).toMatch(/save it as PDF, and upload the PDF/);
    // Words, not codes.
    expect(text).not.toContain('BINARY');
    expect(text.split(/\s+/).filter((word) => word.includes('_'))).toEqual([]);
    expect(await page.locator('section', { hasText: 'Could not be read' }).locator('tbody tr', { hasText: 'broken.pdf' }).innerText()).toMatch(
      /damaged or cut short[\s\S]*Get a fresh copy/,
    );
    expect(await page.locator('section', { hasText: 'Not an IMR Final Determination' }).locator('tbody tr', { hasText: 'invoice.txt' }).innerText()).toMatch(
      /Too little of it reads as a letter[\s\S]*dismiss it or delete it/,
    );
    await page.screenshot({ path: join(SHOTS, 'problems-reasons.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    const phone = await newPage({ width: 390, height: 844 });
    await phone.goto(`${service.endpoints.http}/#/problems`);
    await phone.locator('tbody tr', { hasText: 'decision letter.docx' }).waitFor();
    // A card per problem on a phone: nothing wider than the screen.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(SHOTS, 'problems-phone.png'), fullPage: true });
    expect(await seriousViolations(phone)).toEqual([]);
    await phone.close();
    await page.close();
  }, 90_000);

  it('dismisses a problem with a note: off the list and the count, kept under Dismissed with who, when and why, and put back', async () => {
    const invoiceId = documentId(Buffer.from(unrecognizedText));
    const page = await newPage();
    await page.goto(`${service.endpoints.http}/#/problems`);
    const unrecognized = page.locator('section', { hasText: 'Not an IMR Final Determination' });
    const row = unrecognized.locator('tbody tr', { hasText: 'invoice.txt' });
    await row.waitFor();
    const count = page.locator('nav .tab-count');
    await expect.poll(async () => page.locator('section tbody tr').count()).toBeGreaterThan(0);
    const before = Number(await count.innerText());
    await row.getByRole('button', { name: 'Dismiss invoice.txt' }).click();
    const dialog = page.getByRole('dialog', { name: 'Dismiss invoice.txt' });
    await dialog.waitFor();
    // A note is needed: the dialog says so rather than dismissing without one.
    await dialog.getByRole('button', { name: 'Dismiss' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Say why' }).waitFor();
    await dialog.getByLabel(/Why/).fill('An invoice from the copier company; nothing to read.');
    await page.screenshot({ path: join(SHOTS, 'problems-dismiss.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByRole('status').filter({ hasText: 'invoice.txt was dismissed' }).waitFor();
    await expect.poll(() => row.count()).toBe(0);
    await expect.poll(async () => Number(await count.innerText()), { timeout: 10_000 }).toBe(before - 1);
    // Kept, with who, when and why; the audit log says the same.
    const dismissed = page.locator('details.dismissed');
    await dismissed.locator('summary').click();
    const kept = dismissed.locator('tbody tr', { hasText: 'invoice.txt' });
    await kept.waitFor();
    expect(await kept.innerText()).toMatch(/by Pat Reviewer, .*An invoice from the copier company; nothing to read\./s);
    await page.locator('details.audit summary').click();
    await page.locator('details.audit tbody tr', { hasText: 'invoice.txt' }).filter({ hasText: 'Dismissed' }).waitFor();
    expect(await (await fetch(`${service.endpoints.http}/documents/${invoiceId}`)).json()).toMatchObject({
      status: 'UNRECOGNIZED',
      dismissal: { by: 'Pat Reviewer', note: 'An invoice from the copier company; nothing to read.' },
    });
    await page.screenshot({ path: join(SHOTS, 'problems-dismissed.png'), fullPage: true });
    // Put back: on the list again, and counted.
    await kept.getByRole('button', { name: 'Put back invoice.txt' }).click();
    await row.waitFor();
    await expect.poll(async () => Number(await count.innerText()), { timeout: 10_000 }).toBe(before);
    await page.locator('details.audit tbody tr', { hasText: 'invoice.txt' }).filter({ hasText: 'Put back' }).waitFor();
    await page.close();
  }, 60_000);

  it('deletes a wrong upload: its file and records gone from every list and count, who, when and why kept in the audit log', async () => {
    const wrong = Buffer.concat([wordDocument, Buffer.from('another firm')]);
    const wrongId = documentId(wrong);
    const page = await newPage();
    await page.goto(`${service.endpoints.http}/#/problems`);
    const failed = page.locator('section', { hasText: 'Could not be read' });
    await failed.locator('tbody tr').first().waitFor();
    // Uploaded while the page is open: the list shows it without a reload.
    await put('wrong client/their letter.docx', wrong);
    const row = failed.locator('tbody tr', { hasText: 'their letter.docx' });
    await row.waitFor({ timeout: 30_000 });
    const count = page.locator('nav .tab-count');
    await expect.poll(async () => Number(await count.innerText()) === (await page.locator('section tbody tr').count()), { timeout: 10_000 }).toBe(true);
    const before = Number(await count.innerText());
    await row.getByRole('button', { name: 'Delete their letter.docx' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete their letter.docx' });
    await dialog.getByLabel(/Why/).fill("Another firm's letter, sent to us by mistake.");
    expect(await dialog.innerText()).toMatch(/cannot be undone[\s\S]*audit log keeps who deleted it, when and why/);
    await page.screenshot({ path: join(SHOTS, 'problems-delete.png') });
    const phone = await newPage({ width: 390, height: 844 });
    await phone.goto(`${service.endpoints.http}/#/problems`);
    await phone.locator('tbody tr', { hasText: 'their letter.docx' }).getByRole('button', { name: 'Delete their letter.docx' }).click();
    await phone.getByRole('dialog').getByLabel(/Why/).fill("Another firm's letter.");
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(SHOTS, 'problems-delete-phone.png') });
    expect(await seriousViolations(phone)).toEqual([]);
    await phone.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => phone.getByRole('dialog').count()).toBe(0);
    await phone.close();
    await dialog.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByRole('status').filter({ hasText: 'their letter.docx was deleted' }).waitFor();
    await expect.poll(() => row.count()).toBe(0);
    await expect.poll(async () => Number(await count.innerText()), { timeout: 10_000 }).toBe(before - 1);
    // Gone: its record, its original in the inbox, and from every list.
    expect((await fetch(`${service.endpoints.http}/documents/${wrongId}`)).status).toBe(404);
    await expect(service.s3.send(new HeadObjectCommand({ Bucket: LOCAL_INBOX, Key: 'wrong client/their letter.docx' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    const listed = (await (await fetch(`${service.endpoints.http}/documents?limit=200`)).json()) as { data: Array<{ id: string }> };
    expect(listed.data.map((document) => document.id)).not.toContain(wrongId);
    // Kept in the audit log: who, when, why, the id and the file's name.
    const audit = (await (await fetch(`${service.endpoints.http}/audit`)).json()) as { data: Array<Record<string, unknown>> };
    expect(audit.data[0]).toMatchObject({
      action: 'deleted',
      by: 'Pat Reviewer',
      documentId: wrongId,
      fileNames: ['their letter.docx'],
      note: "Another firm's letter, sent to us by mistake.",
      status: 'FAILED',
      reasonCode: 'BINARY',
    });
    await page.locator('details.audit summary').click();
    await page.locator('details.audit tbody tr', { hasText: 'their letter.docx' }).filter({ hasText: 'Deleted' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'problems-deleted.png'), fullPage: true });
    // A read letter is not deleted: the API says why.
    const refused = await page.evaluate(async (id) => {
      const config = (await (await fetch('/console/config.json')).json()) as { session: string };
      const response = await fetch(`/documents/${id}`, {
        method: 'DELETE',
        headers: { 'x-imr-session': config.session, 'content-type': 'application/json' },
        body: '{"note":"try"}',
      });
      return { status: response.status, body: (await response.json()) as { error: { code: string } } };
    }, cleanId);
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'NOT_ALLOWED' } } });
    failedRequests.splice(failedRequests.indexOf(`409 /documents/${cleanId}`), 1);
    await page.close();
  }, 90_000);

  it("shows a long scan's pages read while it is read, in the upload list and over the queue", async () => {
    const lines = printedLines(`${letters[0]!.text}\n${letters[1]!.text}`);
    const [scan] = (await renderScan(lines, 'scanned-pdf', 9)).files;
    const id = documentId(scan!);
    uploaded.push(id);
    const page = await newPage();
    await page.goto(`${service.endpoints.http}/`);
    await page.getByRole('button', { name: 'Upload letters' }).waitFor();
    await page.getByLabel('Letters to upload').setInputFiles([{ name: 'long scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from(scan!) }]);
    const brought = page.locator('.brought li', { hasText: 'long scan.pdf' });
    const reading = page.locator('.being-read li', { hasText: 'long scan.pdf' });
    // Page by page, as the reading process reads them.
    await reading.filter({ hasText: /reading page \d+ of \d+/ }).waitFor({ timeout: 60_000 });
    await brought.filter({ hasText: /reading page \d+ of \d+/ }).waitFor({ timeout: 10_000 });
    const seen = await reading.innerText();
    const [, pageNumber, pages] = /reading page (\d+) of (\d+)/.exec(seen)!;
    expect(Number(pages)).toBeGreaterThanOrEqual(4);
    expect(Number(pageNumber)).toBeLessThanOrEqual(Number(pages));
    const status = (await (await fetch(`${service.endpoints.http}/documents/${id}/status`)).json()) as { progress?: { pagesRead: number; pages: number } };
    expect(status.progress?.pages).toBe(Number(pages));
    await page.screenshot({ path: join(SHOTS, 'reading-progress.png') });
    const phone = await newPage({ width: 390, height: 844 });
    await phone.goto(`${service.endpoints.http}/`);
    await phone
      .locator('.being-read li', { hasText: 'long scan.pdf' })
      .waitFor({ timeout: 30_000 })
      .catch(() => undefined);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(SHOTS, 'reading-progress-phone.png') });
    await phone.close();
    // Read: the panel empties and the letter is in the queue, with no reload.
    await brought.getByRole('link', { name: 'Open' }).waitFor({ timeout: 120_000 });
    await expect.poll(() => reading.count(), { timeout: 10_000 }).toBe(0);
    // The scan held two letters: each is in the queue.
    await expect.poll(() => page.locator('table.queue tbody tr', { hasText: 'long scan.pdf' }).count()).toBe(2);
    await page.close();
  }, 240_000);

  it('keeps the queue live: a letter uploaded while it is open appears without a reload, the selected letter and the scroll kept; a hidden tab asks nothing', async () => {
    const page = await newPage({ width: 1280, height: 500 });
    await page.goto(`${service.endpoints.http}/`);
    const rows = page.locator('table.queue tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(3);
    // A mark the page would lose were it loaded again.
    await page.evaluate(() => ((window as unknown as { mark: number }).mark = 42));
    await rows.first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const selected = page.locator('table.queue tbody tr[aria-selected="true"]');
    const chosen = await selected.getAttribute('data-letter');
    await page.evaluate(() => window.scrollTo(0, 120));
    const scrolled = await page.evaluate(() => window.scrollY);
    const text = `${letters[3]!.text}\n\nArrived while the queue was open.\n`;
    await put('arrived/while open.txt', text);
    // It appears (needing no review, it joins the letters read), with no reload of the page.
    await page.locator('table.queue tbody tr', { hasText: 'while open.txt' }).waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(42);
    expect(await selected.getAttribute('data-letter')).toBe(chosen);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-letter'))).toBe(chosen);
    expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
    await page.screenshot({ path: join(SHOTS, 'queue-live.png') });
    // Hidden, the tab asks for nothing; shown again, it asks at once.
    const asked: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/activity') asked.push(request.url());
    });
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    asked.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(asked).toEqual([]);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(() => asked.length, { timeout: 3000 }).toBeGreaterThan(0);
    const phone = await newPage({ width: 390, height: 844 });
    await phone.goto(`${service.endpoints.http}/`);
    await phone.locator('table.queue tbody tr', { hasText: 'while open.txt' }).waitFor();
    await phone.screenshot({ path: join(SHOTS, 'queue-live-phone.png') });
    await phone.close();
    await page.close();
  }, 90_000);

  it('shows another form of a letter (the same letter as a PDF) right under the first form, not as a row of its own elsewhere', async () => {
    // A letter received as text, then again as a PDF (its decision date makes the two comparable).
    const text = `Decision Date: 01/21/2015\n\n${letters[2]!.text}\n`;
    const textId = documentId(Buffer.from(text, 'latin1'));
    await put('forms/letter.txt', text);
    await waitFor(() => status(textId), 60_000);
    const pdf = Buffer.from(await typesetPdf(printedLines(text)));
    const pdfId = documentId(pdf);
    await put('forms/the same letter.pdf', pdf);
    await waitFor(() => status(pdfId), 60_000);
    const stored = (await (await fetch(`${service.endpoints.http}/determinations/${pdfId}`)).json()) as { sameLetterAs?: string };
    expect(stored.sameLetterAs).toBe(textId);
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 390, height: 844 },
    ]) {
      const page = await newPage(viewport);
      await page.goto(`${service.endpoints.http}/`);
      const ids = async () => page.locator('table.queue tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-letter')));
      await expect.poll(async () => (await ids()).includes(pdfId), { timeout: 15_000 }).toBe(true);
      const order = await ids();
      // Newest first would put the PDF at the top; it sits under the text it is another form of.
      expect(order.indexOf(pdfId)).toBe(order.indexOf(textId) + 1);
      const row = page.locator(`tr[data-letter="${pdfId}"]`);
      expect(await row.getAttribute('class')).toContain('form');
      expect(await row.innerText()).toContain('Another form of the letter above');
      await row.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, viewport.width < 600 ? 'queue-forms-phone.png' : 'queue-forms.png') });
      await page.close();
    }
  }, 120_000);

  it('raised no script error and no CSP violation in any view', () => {
    expect(browserErrors).toEqual([]);
    // The only refusals expected: a text letter has no page image (the console then shows its text); a file just
    // uploaded is not found until the service has recorded it (the upload list asks again).
    const [uploadedLetter] = uploaded;
    const expected = new Set([flaggedId, cleanId, uploadedLetter].map((id) => `404 /documents/${id}/pages/1`));
    const polled = new Set(uploaded.map((id) => `404 /documents/${id}/status`));
    expect(new Set(failedRequests.filter((request) => !polled.has(request)))).toEqual(expected);
  });
});
