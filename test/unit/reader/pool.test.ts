import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReadingLimitError, ReadingPool } from '../../../functions/reader/pool.ts';
import { InputError } from '../../../functions/reader/errors.ts';
import { LIMITS } from '../../../functions/common/limits.ts';
import { TesseractCli } from '../../../functions/adapters/tesseract/recognizer.ts';
import { loadGoldenLetters } from '../../fixtures/golden.ts';
import { printedLines } from '../../fixtures/variants.ts';
import { renderScan, typesetPdf } from '../../fixtures/scans.ts';
import { pdfTextPages } from '../../fixtures/hostile.ts';

const letter = loadGoldenLetters()[0]!;
const pools: ReadingPool[] = [];
function pool(options: ConstructorParameters<typeof ReadingPool>[0]): ReadingPool {
  const made = new ReadingPool(options);
  pools.push(made);
  return made;
}
afterAll(async () => {
  await Promise.all(pools.map((made) => made.close()));
});

/** Resolves once `condition` holds, looked at every 50 ms; fails after `ms`. */
async function waitUntil(condition: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`not so after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A Textract response with `blocks` LINE blocks on one page: valid, and heavy to hold as objects. */
function heavyTextract(blocks: number): Buffer {
  const block = (i: number) =>
    `{"BlockType":"LINE","Id":"b${i}","Page":1,"Confidence":99.1,"Text":"line ${i} of a long page of words","Geometry":{"BoundingBox":{"Left":0.1,"Top":${(i / blocks).toFixed(6)},"Width":0.8,"Height":0.01},"Polygon":[{"X":0.1,"Y":0.1},{"X":0.9,"Y":0.1},{"X":0.9,"Y":0.11},{"X":0.1,"Y":0.11}]}}`;
  const parts = [
    '{"DocumentMetadata":{"Pages":1},"JobStatus":"SUCCEEDED","Blocks":[{"BlockType":"PAGE","Id":"p1","Page":1,"Geometry":{"BoundingBox":{"Left":0,"Top":0,"Width":1,"Height":1},"Polygon":[]}}',
  ];
  for (let i = 0; i < blocks; i++) parts.push(`,${block(i)}`);
  parts.push(']}');
  return Buffer.from(parts.join(''));
}

describe('reading in a pool of processes with limits', () => {
  it('reads a letter in a reading process and reports an unreadable file with its code, as reading in-process does', async () => {
    const readers = pool({ processes: 1, timeLimitSeconds: 30 });
    const document = await readers.read(Buffer.from(letter.text, 'latin1'), 'document');
    expect(document.text).toContain('HOW THE IMR FINAL DETERMINATION WAS MADE');
    await expect(readers.read(Buffer.from([0, 1, 2, 3, 255, 0, 7]), 'document')).rejects.toMatchObject({ name: 'InputError', code: 'BINARY' });
    await expect(readers.read(Buffer.alloc(0), 'document')).rejects.toBeInstanceOf(InputError);
  });

  it('tells the pages read of a scan as its reading process reads them', async () => {
    const readers = pool({ processes: 1, timeLimitSeconds: 120 });
    const [fax] = (await renderScan(printedLines(letter.text).slice(0, 70), 'fax-fine', 4)).files;
    const heard: Array<[number, number]> = [];
    const document = await readers.read(fax!, 'document', (read, pages) => heard.push([read, pages]));
    expect(document.pageCount).toBeGreaterThan(1);
    expect(heard).toEqual(Array.from({ length: document.pageCount + 1 }, (_, read) => [read, document.pageCount]));
  }, 120_000);

  it('stops a reading that runs past its time, then reads the next document normally', async () => {
    const readers = pool({ processes: 1, timeLimitSeconds: 0.3 });
    const [fax] = (await renderScan(printedLines(letter.text).slice(0, 60), 'fax-fine', 3)).files;
    const started = performance.now();
    const error = await readers.read(fax!, 'document').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReadingLimitError);
    expect(error).toMatchObject({ code: 'TIME_LIMIT', permanent: true });
    // Stopped at its limit, not when OCR would have finished.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await readers.read(Buffer.from(letter.text, 'latin1'), 'document')).text).toContain('IMR');
  }, 60_000);

  it('stops a reading that runs out of memory without harming the service, then reads the next document normally', async () => {
    const readers = pool({ processes: 1, timeLimitSeconds: 60, memoryLimitMb: 120 });
    const heavy = heavyTextract(120_000);
    const error = await readers.read(heavy, 'document').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ReadingLimitError', code: 'MEMORY_LIMIT' });
    expect((error as Error).message).toContain('120 MB');
    expect((await readers.read(Buffer.from(letter.text, 'latin1'), 'document')).text).toContain('IMR');
  }, 60_000);

  it('hands a scan back unread when OCR is not wanted (the fast lane), without a reading process', async () => {
    const pids = mkdtempSync(join(tmpdir(), 'imr-reader-pids-'));
    const readers = pool({ processes: 1, timeLimitSeconds: 30, pidDirectory: pids });
    const [fax] = (await renderScan(printedLines(letter.text).slice(0, 20), 'fax-fine', 5)).files;
    expect(await readers.readWithoutOcr(fax!, 'document')).toBeNull();
    expect(readdirSync(pids)).toEqual([]);
    // A page image over the one-page limit is still refused with its reason, as reading it would.
    const huge = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(LIMITS.singleImageBytes)]);
    await expect(readers.readWithoutOcr(huge, 'document')).rejects.toMatchObject({ name: 'InputError', code: 'TOO_LARGE' });
    // Text is read in a reading process as before.
    expect((await readers.readWithoutOcr(Buffer.from(letter.text, 'latin1'), 'document'))?.text).toContain('IMR');
    expect(readdirSync(pids)).toHaveLength(1);
  }, 60_000);

  it('renders a page image for the console in a reading process, and stops a render that runs past its time', async () => {
    const readers = pool({ processes: 1, timeLimitSeconds: 1 });
    const pdf = Buffer.from(await typesetPdf(printedLines(letter.text)));
    const png = await readers.renderPage(pdf, 1, 'document');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    await expect(readers.renderPage(pdf, 99, 'document')).rejects.toMatchObject({ name: 'InputError', code: 'NOT_FOUND' });
    // 3,000 pages take seconds to open: past the limit, stopped, and the next render works.
    await expect(readers.renderPage(pdfTextPages(3000), 7, 'document')).rejects.toMatchObject({ name: 'ReadingLimitError', code: 'TIME_LIMIT' });
    expect((await readers.renderPage(pdf, 1, 'document')).length).toBeGreaterThan(1000);
  }, 60_000);

  it("keeps each reading process's pid while it runs, so a start after a SIGKILL can stop what the killed service left", async () => {
    const pids = mkdtempSync(join(tmpdir(), 'imr-reader-pids-'));
    const readers = pool({ processes: 1, timeLimitSeconds: 30, pidDirectory: pids });
    await readers.read(Buffer.from(letter.text, 'latin1'), 'document');
    expect(readdirSync(pids)).toHaveLength(1);
    // As the next start would: the process found there is a reading process, and is stopped.
    expect(ReadingPool.stopLeftovers(pids)).toBe(1);
    expect(readdirSync(pids)).toEqual([]);
    // The pool sees it gone, replaces it, and reads on.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await readers.read(Buffer.from(letter.text, 'latin1'), 'document')).text).toContain('IMR');
    expect(ReadingPool.stopLeftovers(pids)).toBe(1);
  }, 60_000);

  it.runIf(TesseractCli.available())(
    'writes the pages its OCR engines read to a private folder of its own, and removes what a reading process killed mid-page left there',
    async () => {
      const pids = mkdtempSync(join(tmpdir(), 'imr-reader-pids-'));
      const pages = join(mkdtempSync(join(tmpdir(), 'imr-reader-pages-')), 'ocr-pages');
      // What an earlier service's reading process, killed mid-page, left behind.
      mkdirSync(join(pages, 'imr-ocr-999999-x1y2z3'), { recursive: true });
      writeFileSync(join(pages, 'imr-ocr-999999-x1y2z3', 'page-3.png'), 'a page of a letter');
      const readers = pool({ processes: 1, timeLimitSeconds: 120, pidDirectory: pids, pageDirectory: pages });
      expect(readdirSync(pages)).toEqual([]);
      expect(statSync(pages).mode & 0o777).toBe(0o700);
      const [fax] = (await renderScan(printedLines(letter.text).slice(0, 70), 'fax-fine', 5)).files;
      let during: string[] = [];
      const reading = readers.read(fax!, 'document', (read) => {
        if (read !== 1) return;
        // The first page read, the second handed to its engine (its file written): the process is stopped as the kernel or a person would stop it.
        const kill = setInterval(() => {
          const [own] = readdirSync(pages);
          const files = own ? readdirSync(join(pages, own)) : [];
          if (files.length === 0) return;
          clearInterval(kill);
          during = files.map((file) => `${own}/${file}`);
          process.kill(Number.parseInt(readdirSync(pids)[0]!, 10), 'SIGKILL');
        }, 5);
      });
      await expect(reading).rejects.toMatchObject({ name: 'ReadingLimitError' });
      expect(during).toEqual([expect.stringMatching(/^imr-ocr-\d+-[^/]+\/page-\d+\.(png|tif)$/)]);
      expect(readdirSync(pages)).toEqual([]);
    },
    120_000,
  );

  it('runs its reading processes at the niceness it is given (the OCR pool yields the cores to the API and the fast lane)', async () => {
    const pids = mkdtempSync(join(tmpdir(), 'imr-reader-pids-'));
    const readers = pool({ processes: 1, timeLimitSeconds: 30, pidDirectory: pids, niceness: 10 });
    await readers.read(Buffer.from(letter.text, 'latin1'), 'document');
    const [file] = readdirSync(pids);
    expect(getPriority(Number(file!.replace(/\.pid$/, '')))).toBe(10);
  }, 60_000);

  it('starts the processes it is asked to warm before any document, and reads the first document in one of them', async () => {
    const pids = mkdtempSync(join(tmpdir(), 'imr-reader-pids-'));
    const readers = pool({ processes: 2, timeLimitSeconds: 30, pidDirectory: pids });
    const ready = readers.warm(1);
    expect(readdirSync(pids)).toHaveLength(1);
    await ready;
    const warmed = readdirSync(pids);
    await readers.readWithoutOcr(Buffer.from(letter.text, 'latin1'), 'document');
    expect(readdirSync(pids)).toEqual(warmed);
  }, 60_000);

  it.runIf(TesseractCli.available())(
    'warms a process that OCRs to practise on a made-up page before it is ready: it reads the first fax right and leaves nothing in its page folder',
    async () => {
      const pids = mkdtempSync(join(tmpdir(), 'imr-reader-pids-'));
      const pages = join(mkdtempSync(join(tmpdir(), 'imr-reader-pages-')), 'ocr-pages');
      const readers = pool({ processes: 1, timeLimitSeconds: 120, pidDirectory: pids, pageDirectory: pages, ocrPagesAtOnce: 2 });
      await readers.warm(1, { practise: true });
      const warmed = readdirSync(pids);
      expect(warmed).toHaveLength(1);
      const [fax] = (await renderScan(printedLines(letter.text).slice(0, 40), 'fax-fine', 6)).files;
      const document = await readers.read(fax!, 'fax.tif');
      expect(document.text).toMatch(/IMR FINAL DETERMINATION/);
      expect(document.text).toMatch(/expert reviewer/i);
      expect(readdirSync(pids)).toEqual(warmed);
      expect(readdirSync(pages).flatMap((own) => readdirSync(join(pages, own)))).toEqual([]);
    },
    120_000,
  );

  it('warms a text-reading process to practise on a made-up letter once ready: a letter sent at once is answered with its own reading, never the practice', async () => {
    const readers = pool({ processes: 1, timeLimitSeconds: 30 });
    await readers.warm(1, { practise: true });
    const read = await readers.readWithoutOcr(Buffer.from(letter.text, 'latin1'), 'document');
    expect(read?.letters).toHaveLength(1);
    expect(read?.letters[0]!.determination).toMatchObject({ status: 'CLASSIFIED', caseNumber: letter.golden.caseNumber });
    expect(read?.text).toBe(letter.text);
  }, 60_000);

  it('lets a process idle past its idle time go, and starts another for the next document', async () => {
    const pids = mkdtempSync(join(tmpdir(), 'imr-reader-pids-'));
    const readers = pool({ processes: 1, timeLimitSeconds: 30, pidDirectory: pids, idleSeconds: 0.5 });
    await readers.warm(1);
    const [first] = readdirSync(pids);
    await waitUntil(() => readdirSync(pids).length === 0, 10_000);
    expect((await readers.readWithoutOcr(Buffer.from(letter.text, 'latin1'), 'document'))?.letters).toHaveLength(1);
    expect(readdirSync(pids)).toHaveLength(1);
    expect(readdirSync(pids)).not.toEqual([first]);
  }, 60_000);

  it('keeps a stream of short letters in its first process, and takes another when a long document holds the first', async () => {
    // Forty letters, four at a time: each is read long before the spill time (a few ms against 2 s:
    // a bound a loaded CI machine cannot reach, where 100 ms was reached once), so one process reads them all.
    const stream = mkdtempSync(join(tmpdir(), 'imr-reader-pids-'));
    const steady = pool({ processes: 2, timeLimitSeconds: 60, pidDirectory: stream, spillAfterMs: 2_000 });
    await steady.warm(1);
    const bodies = Array.from({ length: 40 }, (_, i) => Buffer.from(`${letter.text}\n\nCopy ${i}\n`, 'latin1'));
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < bodies.length) expect((await steady.readWithoutOcr(bodies[next++]!, 'document'))?.letters).toHaveLength(1);
      }),
    );
    expect(readdirSync(stream)).toHaveLength(1);
    await steady.close();
    // A long document holds the first process: a letter sent after it is read by a second one, long before the first is done.
    const pids = mkdtempSync(join(tmpdir(), 'imr-reader-pids-'));
    const readers = pool({ processes: 2, timeLimitSeconds: 60, pidDirectory: pids, spillAfterMs: 100 });
    await readers.warm(1);
    const order: string[] = [];
    const long = readers.readWithoutOcr(heavyTextract(150_000), 'long.json').then(() => order.push('long'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await readers.readWithoutOcr(bodies[0]!, 'document').then(() => order.push('letter'));
    await long;
    expect(order).toEqual(['letter', 'long']);
    expect(readdirSync(pids)).toHaveLength(2);
  }, 120_000);
});
