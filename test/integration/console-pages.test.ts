/**
 * The letter view's page images in a real browser (Debian's Chromium) against the real local
 * service, on a standard-resolution fax read by local OCR: the page at its printed proportions,
 * zoomed and panned, the selected item's heading marked over its words (checked against the line
 * boxes the service kept), and the view at a tablet's and a phone's width with nothing wider than
 * the screen. A service of its own: the other console tests' letters and counts are not touched.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type Browser, type Page } from 'playwright-core';
import { startOnFreePorts, LOCAL_INBOX, type LocalService } from '../../functions/local/runtime.ts';
import { documentId } from '../../functions/service/ingest.ts';
import { loadGoldenLetters } from '../fixtures/golden.ts';
import { printedLines } from '../fixtures/variants.ts';
import { renderScan, typesetPdf } from '../fixtures/scans.ts';
import { waitFor } from './harness.ts';
import { launchChromium, seriousViolations, watchedPage } from './browser-pages.ts';
import type { LayoutLine } from '../../functions/domain/page-layout.ts';

const SHOTS = resolve(process.env.IMR_SCREENSHOTS ?? join(tmpdir(), 'imr-console-screenshots'));
const letters = loadGoldenLetters();
const root = mkdtempSync(join(tmpdir(), 'imr-console-pages-'));
const textLetter = `${letters[0]!.text}\n\nA letter sent as text.\n`;
const textId = documentId(Buffer.from(textLetter, 'latin1'));

let service: LocalService;
let browser: Browser;
let faxId = '';
let typedId = '';
const browserErrors: string[] = [];

function newPage(viewport: { width: number; height: number }): Promise<Page> {
  return watchedPage(browser, viewport, browserErrors);
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${service.endpoints.http}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** The mark's rectangle and the page image's, in CSS pixels of the viewport. */
async function rects(page: Page): Promise<{ mark: DOMRect; image: DOMRect }> {
  return page.evaluate(() => ({
    mark: document.querySelector('.heading-mark')!.getBoundingClientRect().toJSON() as DOMRect,
    image: document.querySelector('.sheet img')!.getBoundingClientRect().toJSON() as DOMRect,
  }));
}

/** Whether `mark` lies over `box` (fractions of the page) on an image drawn at `image`, within a pixel or two. */
function expectOver(mark: DOMRect, image: DOMRect, box: readonly number[]): void {
  // The image's 1-pixel border aside.
  const width = image.width - 2;
  const height = image.height - 2;
  expect(Math.abs(mark.left - (image.left + 1 + box[0]! * width))).toBeLessThan(2);
  expect(Math.abs(mark.top - (image.top + 1 + box[1]! * height))).toBeLessThan(2);
  expect(Math.abs(mark.right - (image.left + 1 + box[2]! * width))).toBeLessThan(2.5);
  expect(Math.abs(mark.bottom - (image.top + 1 + box[3]! * height))).toBeLessThan(2.5);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  service = await startOnFreePorts(root, () => undefined, { reviewer: 'Pat Reviewer' });
  const [fax] = (await renderScan(printedLines(letters[3]!.text), 'fax-standard', 5)).files;
  faxId = documentId(fax!);
  await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'faxes/standard fax.tif', Body: fax! }));
  await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'text letter.txt', Body: textLetter }));
  const typed = Buffer.from(await typesetPdf(printedLines(letters[2]!.text)));
  typedId = documentId(typed);
  await service.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX, Key: 'typed letter.pdf', Body: typed }));
  for (const id of [faxId, textId, typedId])
    await waitFor(async () => {
      const response = await fetch(`${service.endpoints.http}/documents/${id}/status`);
      return response.status === 200 && ((await response.json()) as { status: string }).status === 'CLASSIFIED' ? true : undefined;
    }, 180_000);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("a standard-resolution fax's pages in the letter view", () => {
  it('are served at the proportions of the printed page, not squashed to half its height', async () => {
    const response = await fetch(`${service.endpoints.http}/documents/${faxId}/pages/1`);
    expect(response.headers.get('content-type')).toBe('image/png');
    const { width = 0, height = 0 } = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    // A letter page is 11 by 8.5 inches: 1.29 as tall as wide (stored, the fax's rows made it 0.62).
    expect(height / width).toBeGreaterThan(1.25);
    expect(height / width).toBeLessThan(1.33);
  });

  it("keep each OCR'd line's box, and none for a letter sent as text", async () => {
    const { lines } = await api<{ page: number; lines: LayoutLine[] }>(`/documents/${faxId}/pages/2/lines`);
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      expect(line.box[0]).toBeLessThan(line.box[2]);
      expect(line.box[1]).toBeLessThan(line.box[3]);
    }
    // In reading order, down the page.
    expect(lines.map((line) => line.box[1])).toEqual([...lines.map((line) => line.box[1])].sort((a, b) => a - b));
    expect(await api(`/documents/${textId}/pages/1/lines`)).toEqual({ page: 1, lines: [] });
    expect((await fetch(`${service.endpoints.http}/documents/${'0'.repeat(64)}/pages/1/lines`)).status).toBe(404);
  });

  it("mark the selected item's heading over its words, zoom by keys and buttons, and pan by dragging", async () => {
    const page = await newPage({ width: 1280, height: 900 });
    await page.goto(`${service.endpoints.http}/#/letters/${faxId}`);
    await page.locator('article.item').first().waitFor();
    const letter = await api<{ items: Array<{ request: string }> }>(`/determinations/${faxId}`);
    // Item 2's heading, on page 2: the page shown, its heading marked.
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await expect.poll(() => page.locator('.pager span').innerText()).toBe('Page 2 of 3');
    const mark = page.locator('.heading-mark');
    await mark.waitFor();
    await expect.poll(() => page.locator('.mark-note').innerText()).toBe("Item 2's heading is marked.");
    await page.locator('.sheet img').evaluate((image) => (image as HTMLImageElement).decode());
    const { lines } = await api<{ lines: LayoutLine[] }>(`/documents/${faxId}/pages/2/lines`);
    const heading = lines.find((line) => line.text.startsWith(letter.items[1]!.request))!;
    expect(heading.text).toMatch(/: Upheld$/);
    let drawn = await rects(page);
    expectOver(drawn.mark, drawn.image, heading.box);
    await page.screenshot({ path: join(SHOTS, 'letter-mark.png') });
    expect(await seriousViolations(page)).toEqual([]);

    // Zoomed in by a key: the image 1.25 times as wide, the mark still over the heading.
    const fitWidth = drawn.image.width;
    await page.keyboard.press('+');
    await expect.poll(async () => (await rects(page)).image.width / fitWidth).toBeCloseTo(1.25, 2);
    await page.keyboard.press('+');
    await expect.poll(async () => (await rects(page)).image.width / fitWidth).toBeCloseTo(1.5, 2);
    expect(await page.locator('.zoom .level').innerText()).toBe('150%');
    drawn = await rects(page);
    expectOver(drawn.mark, drawn.image, heading.box);
    await page.screenshot({ path: join(SHOTS, 'letter-zoomed.png') });

    // Dragged with the mouse: the page moves with it.
    const pane = page.locator('.page-pane');
    const before = await pane.evaluate((element) => [element.scrollLeft, element.scrollTop]);
    const box = (await pane.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 - 90, { steps: 5 });
    await page.mouse.up();
    const after = await pane.evaluate((element) => [element.scrollLeft, element.scrollTop]);
    expect(after[0]! - before[0]!).toBeGreaterThan(100);
    expect(after[1]! - before[1]!).toBeGreaterThan(70);

    // The buttons: out, and back to fit with the key 0.
    await page.getByRole('button', { name: 'Zoom out' }).click();
    await expect.poll(async () => (await rects(page)).image.width / fitWidth).toBeCloseTo(1.25, 2);
    await page.keyboard.press('0');
    await expect.poll(async () => (await rects(page)).image.width).toBeCloseTo(fitWidth, 0);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await expect.poll(async () => (await rects(page)).image.width / fitWidth).toBeCloseTo(1.25, 2);
    await page.getByRole('button', { name: /fit to width/ }).click();

    // Every item with its heading found is marked over its own heading line.
    for (const [index, item] of letter.items.entries()) {
      await page.locator(`#item-${index} h3`).click();
      await mark.waitFor();
      const shown = Number(/^Page (\d+)/.exec(await page.locator('.pager span').innerText())![1]);
      const pageLines = (await api<{ lines: LayoutLine[] }>(`/documents/${faxId}/pages/${shown}/lines`)).lines;
      await expect
        .poll(async () => {
          const now = await rects(page);
          return pageLines.findIndex((line) => Math.abs(now.mark.top - (now.image.top + 1 + line.box[1] * (now.image.height - 2))) < 2);
        })
        .toBeGreaterThanOrEqual(0);
      const now = await rects(page);
      const marked = pageLines.find((line) => Math.abs(now.mark.top - (now.image.top + 1 + line.box[1] * (now.image.height - 2))) < 2)!;
      // The marked line holds the request as OCR read it ("1" may read "|").
      expect(marked.text.replace(/\|/g, '1').toLowerCase()).toContain(item.request.toLowerCase().slice(0, 12));
      expectOver(now.mark, now.image, marked.box);
    }
    await page.close();
  }, 120_000);

  it("mark a heading on a page of a PDF's text layer too, from the boxes PDFium gives its lines", async () => {
    const page = await newPage({ width: 1280, height: 900 });
    await page.goto(`${service.endpoints.http}/#/letters/${typedId}`);
    await page.locator('article.item').first().waitFor();
    const letter = await api<{ items: Array<{ request: string }> }>(`/determinations/${typedId}`);
    for (const [index, item] of letter.items.entries()) {
      await page.locator(`#item-${index} h3`).click();
      const mark = page.locator('.heading-mark');
      await mark.waitFor();
      await page.locator('.sheet img').evaluate((image) => (image as HTMLImageElement).decode());
      const shown = Number(/^Page (\d+)/.exec(await page.locator('.pager span').innerText())![1]);
      const { lines } = await api<{ lines: LayoutLine[] }>(`/documents/${typedId}/pages/${shown}/lines`);
      const drawn = await rects(page);
      const marked = lines.find((line) => Math.abs(drawn.mark.top - (drawn.image.top + 1 + line.box[1] * (drawn.image.height - 2))) < 2)!;
      expect(marked.text.toLowerCase()).toContain(item.request.toLowerCase().slice(0, 12));
      expectOver(drawn.mark, drawn.image, marked.box);
    }
    // Its second item's heading is the last line of page 1, its rationale on page 2: page 1 is shown, and the item says so.
    expect(await page.locator('.pager span').innerText()).toBe('Page 1 of 2');
    expect(await page.locator('#item-1 .where').innerText()).toBe('In the letter on page 2, its heading on page 1.');
    await page.screenshot({ path: join(SHOTS, 'letter-mark-text-layer.png') });
    await page.close();
  }, 60_000);

  for (const [width, height, name] of [
    [820, 1180, 'letter-pages-tablet.png'],
    [390, 844, 'letter-pages-phone.png'],
  ] as const)
    it(`fit a ${width}-pixel screen: nothing wider than it, the zoom usable, the mark in place`, async () => {
      const page = await newPage({ width, height });
      await page.goto(`${service.endpoints.http}/#/letters/${faxId}`);
      await page.locator('article.item').first().waitFor();
      await page.locator('#item-1 h3').click();
      await page.locator('.heading-mark').waitFor();
      await page.locator('.sheet img').evaluate((image) => (image as HTMLImageElement).decode());
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // The controls are a finger's size, and within the screen.
      for (const label of ['Zoom out', /fit to width/, 'Zoom in', 'Previous page', 'Next page']) {
        const control = (await page.getByRole('button', { name: label }).boundingBox())!;
        expect(control.height).toBeGreaterThanOrEqual(32);
        expect(control.x + control.width).toBeLessThanOrEqual(width);
      }
      await page.screenshot({ path: join(SHOTS, name) });
      expect(await seriousViolations(page)).toEqual([]);
      // Zoomed to be read on a phone: the page scrolls inside its pane, never the console sideways.
      await page.getByRole('button', { name: 'Zoom in' }).click();
      await page.getByRole('button', { name: 'Zoom in' }).click();
      await page.getByRole('button', { name: 'Zoom in' }).click();
      await expect.poll(() => page.locator('.zoom .level').innerText()).toBe('200%');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      const pane = page.locator('.page-pane');
      expect(await pane.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
      const drawn = await rects(page);
      const { lines } = await api<{ lines: LayoutLine[] }>(`/documents/${faxId}/pages/2/lines`);
      const marked = lines.find((line) => Math.abs(drawn.mark.top - (drawn.image.top + 1 + line.box[1] * (drawn.image.height - 2))) < 2)!;
      expectOver(drawn.mark, drawn.image, marked.box);
      // The heading brought into view in the pane.
      const paneBox = (await pane.boundingBox())!;
      expect(drawn.mark.top).toBeGreaterThanOrEqual(paneBox.y - 1);
      expect(drawn.mark.top).toBeLessThan(paneBox.y + paneBox.height);
      await page.screenshot({ path: join(SHOTS, name.replace('.png', '-zoomed.png')) });
      // A letter sent as text, at the same width: its text, nothing wider than the screen.
      await page.goto(`${service.endpoints.http}/#/letters/${textId}`);
      await page.locator('.letter-text').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: join(SHOTS, name.replace('.png', '-text.png')), fullPage: true });
      await page.close();
    }, 60_000);

  it('raised no script error and no CSP violation', () => {
    expect(browserErrors).toEqual([]);
  });
});
