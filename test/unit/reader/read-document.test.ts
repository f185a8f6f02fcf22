import { mkdtempSync, rmSync, truncateSync, writeFileSync, closeSync, openSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { DocumentReader, LIMITS, OCR_BUDGET } from '../../../functions/reader/read-document.ts';
import { isScanWithinLimits, sniffKind } from '../../../functions/reader/sniff.ts';
import { InputError } from '../../../functions/reader/errors.ts';
import { speckShare } from '../../../functions/reader/images.ts';
import type { PageRecognizer } from '../../../functions/adapters/tesseract/recognizer.ts';
import { classifyLetter } from '../../../functions/domain/index.ts';
import { FIXTURES_DIR, loadGoldenLetters, TEXTRACT_DIR } from '../../fixtures/golden.ts';
import { printedLines } from '../../fixtures/variants.ts';
import { faxPage, g4Tiff, imagePdf, joinPdfs, rasterise, renderScan, typesetPdf } from '../../fixtures/scans.ts';

const dir = mkdtempSync(join(tmpdir(), 'imr-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A recognizer that records calls and answers a fixed text: proves which pages went to OCR. */
class RecordingRecognizer implements PageRecognizer {
  readonly name = 'recording';
  calls = 0;
  constructor(
    private readonly text = 'scanned page text',
    private readonly confidence = 0.9,
  ) {}
  async recognize(): Promise<{ text: string; confidence: number }> {
    this.calls++;
    return { text: this.text, confidence: this.confidence };
  }
  async close(): Promise<void> {}
}

function readerWith(recognizer: PageRecognizer): DocumentReader {
  return new DocumentReader(() => recognizer, 2);
}

const letter = loadGoldenLetters()[0]!;
const lines = printedLines(letter.text);

describe('sniffing the type from the bytes', () => {
  it.each([
    ['pdf', Buffer.from('%PDF-1.7\n...')],
    ['tiff', Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0])],
    ['tiff', Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8])],
    ['png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])],
    ['textract-json', Buffer.from('{"DocumentMetadata":{"Pages":1},"Blocks":[]}')],
    ['text', Buffer.from('HOW THE IMR FINAL DETERMINATION WAS MADE')],
    ['binary', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00])],
  ])('%s', (kind, bytes) => {
    expect(sniffKind(bytes)).toBe(kind);
    // The same bytes as a view into a larger buffer (as a body read off a socket comes): only the view is looked at.
    const inside = Buffer.concat([Buffer.alloc(64, 0), bytes, Buffer.alloc(64, 0)]);
    expect(sniffKind(inside.subarray(64, 64 + bytes.length))).toBe(kind);
  });

  it('tells a scan within the limits from its signature alone: a TIFF of any allowed size, an image up to the single-image limit', () => {
    const tiff = Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect([tiff, png, Buffer.from([0xff, 0xd8, 0xff, 0xe0])].map(isScanWithinLimits)).toEqual([true, true, true]);
    const largeImage = Buffer.concat([png, Buffer.alloc(LIMITS.singleImageBytes)]);
    const largeTiff = Buffer.concat([tiff, Buffer.alloc(LIMITS.singleImageBytes)]);
    expect([isScanWithinLimits(largeImage), isScanWithinLimits(largeTiff)]).toEqual([false, true]);
    const notScans = [Buffer.from('%PDF-1.7\n'), Buffer.from(letter.text, 'latin1'), Buffer.from('{"Blocks":[]}'), Buffer.alloc(0), Buffer.from([0, 0, 0, 0])];
    expect(notScans.map(isScanWithinLimits)).toEqual([false, false, false, false, false]);
  });
});

describe('PDF', () => {
  it('reads a text layer directly, with no OCR', async () => {
    const recognizer = new RecordingRecognizer();
    const document = await readerWith(recognizer).read(await typesetPdf(lines), 'letter.pdf');
    expect(recognizer.calls).toBe(0);
    expect(document).toMatchObject({ kind: 'pdf', ocrPages: 0 });
    const determination = classifyLetter(document.text);
    expect(determination.status === 'CLASSIFIED' && determination.items.map((item) => item.request)).toEqual(letter.golden.items.map((item) => item.request));
  });

  it('reads a mixed document page by page: text layers directly, scanned pages by OCR', async () => {
    const textPdf = await typesetPdf(lines);
    const firstPage = await PDFDocument.load(textPdf);
    while (firstPage.getPageCount() > 1) firstPage.removePage(1);
    const scanned = await imagePdf((await rasterise(textPdf, 100)).slice(0, 1), 100);
    const recognizer = new RecordingRecognizer('THE SCANNED PAGE');
    const document = await readerWith(recognizer).read(await joinPdfs([await firstPage.save(), scanned]), 'mixed.pdf');
    expect(recognizer.calls).toBe(1);
    expect(document).toMatchObject({ pageCount: 2, ocrPages: 1, engine: 'recording' });
    expect(document.text).toMatch(/HOW THE IMR FINAL DETERMINATION WAS MADE[\s\S]*\f\nTHE SCANNED PAGE$/);
    expect(document.warnings).toContain('1 of 2 pages were scanned and read by OCR');
  });

  it.each(['encrypted-aes256.pdf', 'encrypted-rc4.pdf'])('refuses a password-protected PDF (%s)', async (name) => {
    const encrypted = readFileSync(join(FIXTURES_DIR, 'pdf', name));
    await expect(readerWith(new RecordingRecognizer()).read(encrypted, 'locked.pdf')).rejects.toMatchObject({
      code: 'ENCRYPTED',
      message: 'locked.pdf: the PDF is password-protected; send it without a password',
    });
  });

  it('reads the pages of a PDF cut short in transfer that survive, or refuses it as damaged', async () => {
    const whole = await typesetPdf(lines);
    for (const fraction of [0.1, 0.5, 0.9]) {
      const cut = whole.slice(0, Math.floor(whole.length * fraction));
      const outcome = await readerWith(new RecordingRecognizer())
        .read(cut, 'cut.pdf')
        .then(
          (document) => ({ pages: document.pageCount }),
          (error: { code: string }) => ({ code: error.code }),
        );
      // Either answer is honest; a crash or a hang is not.
      expect(outcome).toSatisfy((value: { pages?: number; code?: string }) => value.code === 'CORRUPT' || (value.pages ?? 0) >= 1);
    }
  });

  it('refuses a corrupt PDF', async () => {
    await expect(readerWith(new RecordingRecognizer()).read(Buffer.from('%PDF-1.7\nthis is not a pdf at all'), 'bad.pdf')).rejects.toMatchObject({
      code: 'CORRUPT',
    });
  });

  it('refuses more pages than Textract accepts', async () => {
    const doc = await PDFDocument.create();
    for (let i = 0; i <= LIMITS.pages; i++) doc.addPage([612, 792]);
    await expect(readerWith(new RecordingRecognizer()).read(await doc.save(), 'huge.pdf')).rejects.toMatchObject({
      code: 'TOO_MANY_PAGES',
      message: `huge.pdf: ${LIMITS.pages + 1} pages is over the ${LIMITS.pages}-page limit`,
    });
  });
});

/** A PNG of the given size whose header alone is real: what a decompression bomb looks like to a reader. */
function pngHeader(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('budgets: what would exhaust the machine is refused at once, with its reason', () => {
  it('a 16000x16000 page (a decompression bomb of a few bytes)', async () => {
    const recognizer = new RecordingRecognizer();
    await expect(readerWith(recognizer).read(pngHeader(16000, 16000), 'bomb.png')).rejects.toMatchObject({
      code: 'PAGE_TOO_LARGE',
      message: expect.stringMatching(/^bomb\.png: a page of 16000x16000 pixels is over the 40-megapixel limit/),
    });
    expect(recognizer.calls).toBe(0);
  });

  it('a PDF page 200 inches long', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([200 * 72, 11 * 72]);
    const recognizer = new RecordingRecognizer();
    await expect(readerWith(recognizer).read(await doc.save(), 'banner.pdf')).rejects.toMatchObject({
      code: 'PAGE_TOO_LARGE',
      message: expect.stringMatching(/page 1 is 200x11 inches/),
    });
    expect(recognizer.calls).toBe(0);
  });

  it('more scanned pages than the OCR budget of one letter', async () => {
    const doc = await PDFDocument.create();
    for (let i = 0; i <= OCR_BUDGET.pages; i++) doc.addPage([612, 792]);
    const recognizer = new RecordingRecognizer();
    await expect(readerWith(recognizer).read(await doc.save(), 'blank.pdf')).rejects.toMatchObject({
      code: 'OCR_BUDGET',
      message: `blank.pdf: ${OCR_BUDGET.pages + 1} scanned pages is over the ${OCR_BUDGET.pages}-page OCR budget for one letter; split the document`,
    });
    expect(recognizer.calls).toBe(0);
  });
});

describe('specked faxes', () => {
  it('tells a worn fax page (isolated specks) from a clean one', async () => {
    const share = async (kind: 'fax-standard' | 'fax-poor') => {
      const [tiff] = (await renderScan(lines, kind, 3)).files;
      const { data, info } = await sharp(tiff!, { page: 0 }).greyscale().raw().toBuffer({ resolveWithObject: true });
      return speckShare(data, info.width, info.height);
    };
    expect(await share('fax-standard')).toBeLessThan(0.005);
    expect(await share('fax-poor')).toBeGreaterThan(0.005);
  });
});

describe('an OCR engine that fails', () => {
  class FailingRecognizer implements PageRecognizer {
    readonly name = 'failing';
    constructor(private readonly error: Error) {}
    async recognize(): Promise<never> {
      throw this.error;
    }
    async close(): Promise<void> {}
  }

  it("fails the document with the page named when the engine fails on it (the document's fault, final)", async () => {
    const [fax] = (await renderScan(lines.slice(0, 20), 'fax-fine', 6)).files;
    await expect(readerWith(new FailingRecognizer(new Error('tesseract stopped (exit code 1)'))).read(fax!, 'fax.tif')).rejects.toMatchObject({
      name: 'InputError',
      code: 'OCR_FAILED',
      message: 'fax.tif: OCR of page 1 failed (failing)',
    });
  });

  it('passes on a full disk as it is, not as a final failure of the document', async () => {
    const [fax] = (await renderScan(lines.slice(0, 20), 'fax-fine', 6)).files;
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const error = await readerWith(new FailingRecognizer(full))
      .read(fax!, 'fax.tif')
      .catch((caught: unknown) => caught);
    expect(error).toBe(full);
    expect(error).not.toBeInstanceOf(InputError);
  });
});

describe('blank pages', () => {
  it("never sends a blank page (a duplex back, a worn fax line's specks) to OCR, and says so", async () => {
    const [letterPage] = await rasterise(await typesetPdf(lines.slice(0, 40)), 204);
    const [closing] = await rasterise(await typesetPdf(['Sincerely,']), 204);
    const white = await sharp({ create: { width: 1734, height: 2244, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const pages = [await faxPage(letterPage!, 98, 1), await faxPage(white, 98, 2), await faxPage(white, 98, 3, true), await faxPage(closing!, 98, 4, true)];
    const recognizer = new RecordingRecognizer('the scanned page', 0.9);
    const document = await readerWith(recognizer).read(await g4Tiff(pages, 98), 'duplex.tif');
    // The letter's page and the page holding only "Sincerely," are read; the two blank ones are not.
    expect(recognizer.calls).toBe(2);
    expect(document).toMatchObject({ pageCount: 4, ocrPages: 2, pageConfidences: [0.9, null, null, 0.9], incomplete: [] });
    expect(document.warnings).toEqual(['page 2 is blank and was not read', 'page 3 is blank and was not read']);
    expect(document.ocrConfidence).toBeCloseTo(0.9);
  });
});

describe('images', () => {
  it('refuses an image too small to read', async () => {
    const tiny = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    await expect(readerWith(new RecordingRecognizer()).read(tiny, 'thumb.png')).rejects.toMatchObject({
      code: 'IMAGE_TOO_SMALL',
      message: expect.stringMatching(/^thumb\.png: 300x200 pixels is too small to read/),
    });
  });

  it('refuses a single page image over 10 MB', async () => {
    const big = Buffer.alloc(LIMITS.singleImageBytes + 1);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(big);
    await expect(readerWith(new RecordingRecognizer()).read(big, 'big.png')).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });

  it('refuses a corrupt TIFF', async () => {
    await expect(
      readerWith(new RecordingRecognizer()).read(Buffer.from([0x49, 0x49, 0x2a, 0x00, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3]), 'bad.tif'),
    ).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('sends every page of a multi-page TIFF to OCR and names low-confidence pages', async () => {
    const [tiff] = (await renderScan(lines, 'fax-fine', 1)).files;
    const recognizer = new RecordingRecognizer('text', 0.41);
    const document = await readerWith(recognizer).read(tiff!, 'fax.tif');
    expect(document.pageCount).toBeGreaterThan(1);
    // A page read this poorly is read again the other way up, in case it was fed upside down.
    expect(recognizer.calls).toBe(2 * document.pageCount);
    expect(document).toMatchObject({ kind: 'tiff', ocrPages: document.pageCount });
    expect(document.ocrConfidence).toBeCloseTo(0.41);
    expect(document.warnings).toEqual(Array.from({ length: document.pageCount }, (_, i) => `page ${i + 1} OCR confidence 41%`));
  });
});

describe('the page image each engine is handed', () => {
  /** Records the format of each page image it is handed (from its first bytes). */
  class FormatRecorder extends RecordingRecognizer {
    readonly formats: string[] = [];
    constructor(readonly readsFaxTiff: boolean) {
      super();
    }
    override async recognize(image?: Buffer): Promise<{ text: string; confidence: number }> {
      this.formats.push(image![0] === 0x89 ? 'png' : image![0] === 0x49 || image![0] === 0x4d ? 'tiff' : 'other');
      return super.recognize();
    }
  }

  it('is a one-bit TIFF for a black-and-white fax page where the engine reads it, and a PNG where it does not', async () => {
    const [tiff] = (await renderScan(lines, 'fax-fine', 1)).files;
    const cli = new FormatRecorder(true);
    const document = await readerWith(cli).read(tiff!, 'fax.tif');
    expect(cli.formats).toEqual(Array.from({ length: document.pageCount }, () => 'tiff'));
    const wasm = new FormatRecorder(false);
    await readerWith(wasm).read(tiff!, 'fax.tif');
    expect(wasm.formats).toEqual(Array.from({ length: document.pageCount }, () => 'png'));
  });

  it('is a grey PNG for a page with greys: a photographed letter, a fax stretched from standard resolution', async () => {
    for (const kind of ['photo', 'fax-standard'] as const) {
      const [file] = (await renderScan(lines, kind, 1)).files;
      const cli = new FormatRecorder(true);
      await readerWith(cli).read(file!, `${kind}.file`);
      expect(cli.formats.length, kind).toBeGreaterThan(0);
      expect(new Set(cli.formats), kind).toEqual(new Set(['png']));
    }
  });
});

describe('pages read, told as they are (the progress of a long scan)', () => {
  it('tells none read before OCR starts, then one more after each page, up to all of them', async () => {
    const [tiff] = (await renderScan(lines, 'fax-fine', 1)).files;
    const heard: Array<[number, number]> = [];
    const document = await readerWith(new RecordingRecognizer()).read(tiff!, 'fax.tif', (read, pages) => heard.push([read, pages]));
    const pages = document.pageCount;
    expect(heard).toEqual(Array.from({ length: pages + 1 }, (_, read) => [read, pages]));
  });

  it('counts the pages with a text layer as read at once, and tells nothing for a document with none to OCR', async () => {
    const textPdf = await typesetPdf(lines);
    const firstPage = await PDFDocument.load(textPdf);
    while (firstPage.getPageCount() > 1) firstPage.removePage(1);
    const scanned = await imagePdf((await rasterise(textPdf, 100)).slice(0, 2), 100);
    const heard: Array<[number, number]> = [];
    await readerWith(new RecordingRecognizer()).read(await joinPdfs([await firstPage.save(), scanned]), 'mixed.pdf', (read, pages) =>
      heard.push([read, pages]),
    );
    expect(heard).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    const none: unknown[] = [];
    await readerWith(new RecordingRecognizer()).read(textPdf, 'letter.pdf', (...told) => none.push(told));
    expect(none).toEqual([]);
  });
});

describe('files', () => {
  it('refuses a document over 500 MB before reading it', async () => {
    const path = join(dir, 'huge.pdf');
    closeSync(openSync(path, 'w'));
    truncateSync(path, LIMITS.documentBytes + 1);
    await expect(readerWith(new RecordingRecognizer()).readFile(path)).rejects.toMatchObject({
      code: 'TOO_LARGE',
      message: `${path}: 500.0 MB is over the 500 MB limit`,
    });
  });

  it('reads a saved Textract response', async () => {
    const path = join(dir, 'response.json');
    writeFileSync(path, readFileSync(join(TEXTRACT_DIR, 'little_women_page_1.json')));
    const document = await readerWith(new RecordingRecognizer()).readFile(path);
    expect(document).toMatchObject({ kind: 'textract-json', engine: 'textract', pageCount: 1 });
    expect(document.text).toMatch(/^The Project Gutenberg EBook of Little Women/);
  });

  it('refuses a failed Textract job', async () => {
    const path = join(dir, 'failed.json');
    writeFileSync(path, readFileSync(join(TEXTRACT_DIR, 'test-failed-response.json')));
    await expect(readerWith(new RecordingRecognizer()).readFile(path)).rejects.toMatchObject({
      code: 'TEXTRACT_FAILED',
      message: `${path}: Textract job failed: Dummy Status Message`,
    });
  });
});

describe('the OCR time budget of one document', () => {
  /** A recognizer as slow as a hard page: each page takes `ms`. */
  class SlowRecognizer extends RecordingRecognizer {
    constructor(private readonly ms: number) {
      super('HOW THE IMR FINAL DETERMINATION WAS MADE and the rest of a page of the letter', 0.9);
    }
    override async recognize(): Promise<{ text: string; confidence: number }> {
      await new Promise((resolve) => setTimeout(resolve, this.ms));
      return super.recognize();
    }
  }

  it('keeps the pages read when it runs out, and says which pages were not read, instead of failing the document', async () => {
    const [tiff] = (await renderScan([...lines, ...lines, ...lines], 'fax-fine', 11)).files;
    const recognizer = new SlowRecognizer(400);
    // One page at a time, 0.3 s of OCR: the first page is read, the rest are past the budget when their turn comes.
    const document = await new DocumentReader(() => recognizer, 1, 0.3).read(tiff!, 'long fax.tif');
    expect(document.pageCount).toBeGreaterThanOrEqual(3);
    expect(recognizer.calls).toBe(1);
    expect(document.ocrPages).toBe(1);
    expect(document.text.split('\f')[0]).toContain('HOW THE IMR FINAL DETERMINATION WAS MADE');
    expect(document.incomplete).toEqual([
      `pages 2-${document.pageCount} of ${document.pageCount} were not read: OCR ran over its 0.005-minute budget for one document (split the file to read the rest)`,
    ]);
  });

  it('fails the document OCR_BUDGET only when not one page could be read', async () => {
    const [tiff] = (await renderScan(lines, 'fax-fine', 12)).files;
    await expect(new DocumentReader(() => new SlowRecognizer(10), 1, 0).read(tiff!, 'fax.tif')).rejects.toMatchObject({
      code: 'OCR_BUDGET',
      message: expect.stringMatching(/^fax\.tif: OCR ran over its 0-minute budget for one document before page 1; split the document or send it as text$/),
    });
  });
});
