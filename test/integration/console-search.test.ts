/**
 * The queue's search box in a real browser (Debian's Chromium, playwright-core) against the real
 * local service: typing a drug shows the letters that mention it, best first, each saying where;
 * a file name and a case number are still found; words that cannot be searched are said so in
 * words; on a phone the results are cards no wider than the screen. Screenshots at 1280 and 390 px.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, seriousViolations, watchedPage } from './browser-pages.ts';
import { startOnFreePorts, LOCAL_INBOX, type LocalService } from '../../functions/local/runtime.ts';
import { documentId } from '../../functions/service/ingest.ts';
import { loadGoldenLetters } from '../fixtures/golden.ts';
import { letterText } from '../fixtures/factories.ts';

const SHOTS = resolve(process.env.IMR_SCREENSHOTS ?? join(tmpdir(), 'imr-console-screenshots'));
const root = mkdtempSync(join(tmpdir(), 'imr-console-search-'));
const letters = loadGoldenLetters();

/** The four real letters (only the last names Percocet), and one built to order with a name, a case number and a fax's file name. */
const uploads = [
  ...letters.map((letter, n) => ({ key: `mail/2015-01/letter ${n + 1}.txt`, body: `${letter.text}\n\nConsole search copy ${n}.\n` })),
  {
    key: 'faxes/Muller fax 0612.txt',
    body: letterText({
      preamble: ['Case Number: CM15-0098765', 'Decision Date: 01/21/2015', 'Employee: Zoë Müller', ''],
      items: [
        { request: 'MRI of the lumbar spine without contrast', decision: 'Overturned' },
        { request: 'Gabapentin 600mg #90', decision: 'Upheld' },
      ],
    }),
  },
];

let service: LocalService;
let browser: Browser;
const browserErrors: string[] = [];
const failedRequests: string[] = [];

function newPage(viewport: { width: number; height: number }): Promise<Page> {
  return watchedPage(browser, viewport, browserErrors, failedRequests);
}

/** The queue's rows as their text. */
const rowTexts = (page: Page) => page.locator('table.queue tbody tr').allInnerTexts();

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  service = await startOnFreePorts(root, () => undefined, { reviewer: 'Pat Reviewer' });
  for (const upload of uploads) await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: upload.key, Body: Buffer.from(upload.body) }));
  const ids = uploads.map((upload) => documentId(Buffer.from(upload.body)));
  for (;;) {
    const statuses = await Promise.all(ids.map(async (id) => (await service.store.getDocument(id))?.status));
    if (statuses.every((status) => status === 'CLASSIFIED')) break;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  await service.idle();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("the queue's search box", () => {
  it('shows the letters that mention a drug, best first, each saying where it was found', async () => {
    const page = await newPage({ width: 1280, height: 900 });
    await page.goto(`${service.endpoints.http}/`);
    await expect.poll(async () => (await rowTexts(page)).length).toBe(uploads.length);
    // The key `/` goes to the search box, as the hint says.
    await page.locator('h1').click();
    await page.keyboard.press('/');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('search');
    await page.keyboard.type('Percocet');
    await expect.poll(async () => (await rowTexts(page)).length).toBe(1);
    const [row] = await rowTexts(page);
    expect(row).toContain('letter 4.txt');
    expect(row).toMatch(/Request: Percocet 10\/325mg #90/);
    expect(await page.locator('#queue-title .count').innerText()).toBe('1 found, best match first');
    await page.screenshot({ path: join(SHOTS, 'queue-search.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // The start of a word, and two words (both must be there).
    await page.getByLabel('Search letters').fill('perco');
    await expect.poll(async () => (await rowTexts(page)).map((text) => text.split('\n')[0])).toEqual(['letter 4.txt']);
    await page.getByLabel('Search letters').fill('lumbar mri');
    await expect.poll(async () => (await rowTexts(page)).map((text) => text.split('\t')[0])).toEqual([expect.stringContaining('Muller fax 0612.txt')]);
    expect((await rowTexts(page))[0]).toContain('Request: MRI of the lumbar spine without contrast');

    // What the box found before there was a search is still found: a file name, a case number; and a name.
    for (const [query, where] of [
      ['fax 0612', 'In the file name'],
      ['CM15-0098765', 'Case CM15-0098765'],
      ['Zoë', "In the letter's text"],
    ] as const) {
      await page.getByLabel('Search letters').fill(query);
      await expect.poll(async () => (await rowTexts(page)).length, { message: query }).toBe(1);
      expect((await rowTexts(page))[0]).toContain('Muller fax 0612.txt');
      expect((await rowTexts(page))[0]).toContain(where);
    }

    // Words that cannot be searched are said so, in words, with no error and no rows.
    await page.getByLabel('Search letters').fill('the');
    await page.locator('#search-help .error').waitFor();
    expect(await page.locator('#search-help').innerText()).toMatch(/^Not searched: nothing to search for: .*very common words/);
    expect(await page.locator('table.queue').count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);

    // Other filters narrow the results; clearing the box brings the queue back.
    await page.getByLabel('Search letters').fill('patient');
    await expect.poll(async () => (await rowTexts(page)).length).toBeGreaterThan(1);
    await page.locator('select[name=review]').selectOption('done');
    await expect.poll(async () => (await rowTexts(page)).every((text) => !text.includes('Needs review'))).toBe(true);
    await page.locator('select[name=review]').selectOption('all');
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(async () => (await rowTexts(page)).length).toBe(uploads.length);
    expect(await page.locator('.found').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('fits a phone: the results are cards no wider than the screen', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await page.goto(`${service.endpoints.http}/`);
    await page.getByLabel('Search letters').fill('Percocet');
    await expect.poll(async () => (await rowTexts(page)).length).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SHOTS, 'queue-search-phone.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);

  it('finds a part of a file name among the letters loaded, as it did before, where the API has no search', async () => {
    const page = await newPage({ width: 1280, height: 900 });
    // A deployment whose API does not offer GET /search answers 404 there.
    await page.route('**/search?*', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no route for GET /search' } }),
      }),
    );
    await page.goto(`${service.endpoints.http}/`);
    await expect.poll(async () => (await rowTexts(page)).length).toBe(uploads.length);
    await page.getByLabel('Search letters').fill('612');
    await expect.poll(async () => (await rowTexts(page)).map((text) => text.split(/[\t\n]/)[0])).toEqual(['Muller fax 0612.txt']);
    expect(await page.locator('#search-help').innerText()).toBe('Finds letters by a part of their file name.');
    expect(await page.locator('.found').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('says when letters just read are not searchable yet, and asks again until none are', async () => {
    const page = await newPage({ width: 1280, height: 900 });
    // The service's own answers, the first two saying 3 letters are still being indexed (a burst just read): the index cannot be held behind on cue.
    let asked = 0;
    await page.route('**/search?*', async (route) => {
      const answer = await route.fetch();
      const body = (await answer.json()) as { indexing: number };
      asked++;
      await route.fulfill({ response: answer, json: { ...body, indexing: asked <= 2 ? 3 : body.indexing } });
    });
    await page.goto(`${service.endpoints.http}/`);
    await page.getByLabel('Search letters').fill('Percocet');
    const behind = page.getByRole('status').filter({ hasText: 'not searchable yet' });
    await behind.waitFor();
    expect(await behind.innerText()).toBe('3 letters just read are not searchable yet and may be missing here; the search is asked again as they are.');
    expect(await rowTexts(page)).toHaveLength(1);
    await page.screenshot({ path: join(SHOTS, 'queue-search-indexing.png'), fullPage: true });
    // Asked again by itself (every 3 s) until the answer says none are left: then the line goes, the letter found stays.
    await expect.poll(() => asked, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    await behind.waitFor({ state: 'detached' });
    expect(await rowTexts(page)).toHaveLength(1);
    const settled = asked;
    await new Promise((resolveWait) => setTimeout(resolveWait, 4_000));
    expect(asked).toBe(settled);
    await page.close();
  }, 60_000);

  it('asks less often while the count of letters not searchable does not move, and stops saying they were just read', async () => {
    const page = await newPage({ width: 1280, height: 900 });
    // The page's clock stands still and is played forward: a letter whose text cannot be indexed stays counted for minutes.
    await page.clock.install({ time: new Date('2026-12-01T09:00:00Z') });
    let asked = 0;
    await page.route('**/search?*', async (route) => {
      const answer = await route.fetch();
      asked++;
      await route.fulfill({ response: answer, json: { ...((await answer.json()) as object), indexing: 2 } });
    });
    /** The next ask comes `wait` ms after the last answer (then the search's 250 ms pause), not before. */
    const askedAgainAfter = async (wait: number) => {
      const before = asked;
      await page.clock.runFor(wait - 200);
      // Real time for an ask on its way to arrive: none may be.
      await new Promise((resolveWait) => setTimeout(resolveWait, 400));
      expect(asked).toBe(before);
      await page.clock.runFor(600);
      await expect.poll(() => asked).toBe(before + 1);
    };
    await page.goto(`${service.endpoints.http}/`);
    await page.clock.pauseAt(new Date('2026-12-01T09:00:05Z'));
    await page.getByLabel('Search letters').fill('Percocet');
    await page.clock.runFor(300);
    await expect.poll(() => asked).toBe(1);
    const behind = page.getByRole('status').filter({ hasText: 'not searchable' });
    await expect
      .poll(() => behind.innerText())
      .toBe('2 letters just read are not searchable yet and may be missing here; the search is asked again as they are.');
    // The count the same each time: asked again after 3 s, 6 s and 12 s.
    for (const wait of [3_000, 6_000, 12_000]) await askedAgainAfter(wait);
    await page.clock.runFor(50);
    await expect
      .poll(() => behind.innerText())
      .toBe('2 letters are still not searchable and may be missing here (the count has not moved for a while); the search is asked again less often.');
    await page.screenshot({ path: join(SHOTS, 'queue-search-stalled.png'), fullPage: true });
    // Then after 24 s and 48 s, and never more than a minute apart.
    for (const wait of [24_000, 48_000, 60_000, 60_000]) await askedAgainAfter(wait);
    expect(await rowTexts(page)).toHaveLength(1);
    await page.close();
  }, 60_000);

  it('raised no script error, and no refusal but the one for words that cannot be searched (and the stand-in 404)', () => {
    expect(browserErrors).toEqual([]);
    expect(new Set(failedRequests)).toEqual(new Set(['400 /search', '404 /search']));
  });
});
