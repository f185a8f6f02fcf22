import { afterAll, describe, expect, it } from 'vitest';
import { DocumentReader, LIMITS, OCR_BUDGET, TEXTRACT_JSON_BUDGET } from '../../../functions/reader/read-document.ts';
import { openPdf, PDF_BUDGET, pdfEnginesStarted } from '../../../functions/reader/pdf.ts';
import type { PageRecognizer } from '../../../functions/adapters/tesseract/recognizer.ts';
import { jpegHeader, pdfTextPages, png, rawPdf, textractJson, tiff, zerosDeflated, type PdfObject } from '../../fixtures/hostile.ts';

/** Budgets refuse before OCR: a recognizer that counts calls proves it was never asked. */
class CountingRecognizer implements PageRecognizer {
  readonly name = 'counting';
  calls = 0;
  async recognize(): Promise<{ text: string; confidence: number }> {
    this.calls++;
    return { text: 'scanned page text', confidence: 0.9 };
  }
  async close(): Promise<void> {}
}

const recognizer = new CountingRecognizer();
const reader = new DocumentReader(() => recognizer, 2);
afterAll(() => reader.close());

function refusal(bytes: Uint8Array, name: string): Promise<unknown> {
  return reader.read(bytes, name).then(
    (document) => new Error(`read ${document.pageCount} pages without an error`),
    (error: unknown) => error,
  );
}

const LINE = 'HOW THE IMR FINAL DETERMINATION WAS MADE';
const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
const TEXT_STREAM: PdfObject = { dictionary: '', stream: Buffer.from(`BT /F1 12 Tf 72 700 Td (${LINE} after the stream) Tj ET`) };

/** A one-page PDF drawn from `streams` in turn, font 3 and the streams from object 5. */
function onePage(streams: readonly PdfObject[]): Buffer {
  const contents = `[${streams.map((_, i) => `${i + 5} 0 R`).join(' ')}]`;
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
    FONT,
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contents} /Resources << /Font << /F1 3 0 R >> >> >>`,
    ...streams,
  ]);
}

const flate = (bytes: number): PdfObject => ({ dictionary: '/Filter /FlateDecode', stream: zerosDeflated(bytes) });

describe('PDF budgets', () => {
  it('a 1 MB PDF whose content stream inflates to 1 GiB is refused before the engine reads it', async () => {
    const bomb = onePage([flate(1024 * 1024 * 1024), TEXT_STREAM]);
    expect(bomb.length).toBeLessThan(1.1 * 1024 * 1024);
    await expect(refusal(bomb, 'bomb.pdf')).resolves.toMatchObject({
      code: 'RESOURCE_LIMIT',
      message: 'bomb.pdf: the PDF needs more memory than a letter may use to read (a stream in it inflates to over 32 MB); print it to a new PDF and send that',
    });
  });

  it('streams small one by one but over the budget together are refused', async () => {
    const streams = Array.from({ length: PDF_BUDGET.inflatedBytes / (16 * 1024 * 1024) + 1 }, () => flate(16 * 1024 * 1024));
    await expect(refusal(onePage(streams), 'many.pdf')).resolves.toMatchObject({
      code: 'RESOURCE_LIMIT',
      message: expect.stringContaining('(its streams inflate to over 256 MB in all)'),
    });
  });

  it('a large stream within the budget is read', async () => {
    const document = await reader.read(onePage([flate(PDF_BUDGET.streamBytes - 1024 * 1024), TEXT_STREAM]), 'large.pdf');
    expect(document).toMatchObject({ kind: 'pdf', pageCount: 1, ocrPages: 0 });
    expect(document.text).toContain(`${LINE} after the stream`);
  });

  it('text is read only up to its budget: extraction stops at the page that passes it', async () => {
    // 700 pages of 1,640 characters: 1.1 million in all. The service's budget is 20 MB; 1 MB keeps the test quick.
    const pdf = pdfTextPages(700);
    await expect(openPdf(pdf, 'long.pdf', LIMITS.pages, { ...PDF_BUDGET, textChars: 1024 * 1024 })).rejects.toMatchObject({
      code: 'TOO_LARGE',
      message: expect.stringMatching(/^long\.pdf: the PDF's text passes the 1 MB budget for one letter at page 6\d\d of 700; split the document$/),
    });
    // The same document within the budget reads whole.
    const opened = await openPdf(pdf, 'long.pdf', LIMITS.pages);
    opened.close();
    expect(opened.pages.filter((page) => page.text?.includes(LINE))).toHaveLength(700);
  });

  it('reading a long PDF again and again does not grow the engine’s memory', async () => {
    const pdf = pdfTextPages(600);
    const external = async () => {
      const opened = await openPdf(pdf, 'long.pdf', LIMITS.pages);
      opened.close();
      return process.memoryUsage().external;
    };
    const first = await external();
    let last = first;
    for (let round = 0; round < 4; round++) last = await external();
    // Pages left open kept about 18 MB of each reading of these 600 pages in the engine's heap.
    expect((last - first) / 1048576).toBeLessThan(16);
  });

  it('a bomb the stream check cannot see aborts the engine: the document is refused, and PDFs read after it, and one open before it, read fine', async () => {
    // Hex-encoded over the Flate stream, the bomb does not look like zlib to the check; PDFium inflates it and aborts.
    const hexBomb = onePage([
      { dictionary: '/Filter [/ASCIIHexDecode /FlateDecode]', stream: Buffer.from(`${zerosDeflated(1024 * 1024 * 1024).toString('hex')}>`) },
      TEXT_STREAM,
    ]);
    const before = await openPdf(pdfTextPages(2), 'before.pdf', LIMITS.pages);
    const engines = pdfEnginesStarted();
    try {
      await expect(refusal(hexBomb, 'hex-bomb.pdf')).resolves.toMatchObject({
        code: 'RESOURCE_LIMIT',
        message:
          'hex-bomb.pdf: the PDF needs more memory than a letter may use to read (the PDF engine stopped at its 2 GB limit); print it to a new PDF and send that',
      });
      // The document opened before the abort is opened again in the fresh engine when it is next needed.
      const page = await before.render(0, 72);
      expect(page.subarray(1, 4).toString('latin1')).toBe('PNG');
    } finally {
      before.close();
    }
    const after = await reader.read(pdfTextPages(3), 'after.pdf');
    expect(after).toMatchObject({ kind: 'pdf', pageCount: 3, ocrPages: 0 });
    expect(after.text).toContain(LINE);
    // The engine that aborted was replaced, once; its heap of over 1 GB is not asked for anything again.
    expect(pdfEnginesStarted()).toBe(engines + 1);
  });
});

/** A Textract response of one LINE of text on `page`, with `nest` levels of arrays under it. */
function response({ nest = 0, pages = 1, page = 1 }: { nest?: number; pages?: number; page?: number } = {}): Buffer {
  return Buffer.from(
    `{"DocumentMetadata":{"Pages":${pages}},"Blocks":[{"BlockType":"LINE","Text":"${LINE}","Page":${page},"Relationships":${nest ? '['.repeat(nest) + ']'.repeat(nest) : 'null'}}]}`,
  );
}

describe('Textract JSON budgets, checked before the pages are laid out', () => {
  it('bytes: over 50 MB is refused before it is parsed', async () => {
    const big = Buffer.alloc(TEXTRACT_JSON_BUDGET.bytes + 1, ' ');
    response().copy(big);
    await expect(refusal(big, 'big.json')).resolves.toMatchObject({
      code: 'TOO_LARGE',
      message: "big.json: 50.0 MB of Textract JSON is over the 50.0 MB budget for one letter's response (a page is about 0.3 MB)",
    });
  });

  it('nesting: 32 deep is read, 33 deep is refused before it is parsed', async () => {
    // The response, Blocks and the block are three levels: the rest are the Relationships arrays.
    const fits = await reader.read(response({ nest: TEXTRACT_JSON_BUDGET.depth - 3 }), 'fits.json');
    expect(fits.text).toBe(LINE);
    await expect(refusal(response({ nest: TEXTRACT_JSON_BUDGET.depth - 2 }), 'deep.json')).resolves.toMatchObject({
      code: 'RESOURCE_LIMIT',
      message: 'deep.json: the Textract JSON nests arrays and objects over the budget of 32 deep (a Textract response nests 7); it is not a Textract response',
    });
  });

  it('nesting is counted outside strings only', async () => {
    const brackets = Buffer.from(
      `{"DocumentMetadata":{"Pages":1},"Blocks":[{"BlockType":"LINE","Text":"${'[{'.repeat(100)} \\" ${'['.repeat(100)}","Page":1}]}`,
    );
    await expect(reader.read(brackets, 'brackets.json')).resolves.toMatchObject({ kind: 'textract-json', pageCount: 1 });
  });

  it('blocks: 250,000 are laid out, 250,001 are refused', async () => {
    const blocks = (count: number) => textractJson(`[${Array.from({ length: count }, () => '{}').join(',')}]`);
    // 250,000 blocks of nothing pass the budget and are read: they hold no text.
    await expect(refusal(blocks(TEXTRACT_JSON_BUDGET.blocks), 'blocks.json')).resolves.toMatchObject({ code: 'EMPTY' });
    await expect(refusal(blocks(TEXTRACT_JSON_BUDGET.blocks + 1), 'blocks.json')).resolves.toMatchObject({
      code: 'RESOURCE_LIMIT',
      message: 'blocks.json: the Textract JSON holds over 250,000 blocks, the budget for one letter (a page has a few hundred)',
    });
  });

  it('pages: 3,000 are laid out, a response naming page 3,001 is refused', async () => {
    await expect(reader.read(response({ pages: TEXTRACT_JSON_BUDGET.pages }), 'pages.json')).resolves.toMatchObject({ pageCount: 3000 });
    await expect(refusal(response({ pages: 3001 }), 'pages.json')).resolves.toMatchObject({
      code: 'TOO_MANY_PAGES',
      message: 'pages.json: 3001 pages is over the 3000-page limit',
    });
    await expect(refusal(response({ page: 3001 }), 'pages.json')).resolves.toMatchObject({
      code: 'TOO_MANY_PAGES',
      message: 'pages.json: 3001 pages is over the 3000-page limit',
    });
  });

  it.each([
    ['Blocks is not a list', '5', 'not a Textract response: Blocks is not a list'],
    ['a block is null', '[null]', 'not a Textract response: a block is not a JSON object'],
    ['a page number is text', '[{"BlockType":"LINE","Text":"x","Page":"2"}]', `not a Textract response: a block's Page is "2", not a page number`],
    ['a page number is 0', '[{"BlockType":"LINE","Text":"x","Page":0}]', `not a Textract response: a block's Page is 0, not a page number`],
    ["a line's text is a number", '[{"BlockType":"LINE","Text":5}]', "not a Textract response: a LINE block's Text is not a string"],
  ])('a response of the wrong shape is refused as corrupt: %s', async (_, blocks, message) => {
    await expect(refusal(textractJson(blocks), 'odd.json')).resolves.toMatchObject({ code: 'CORRUPT', message: `odd.json: ${message}` });
  });

  it('a page of 250,000 lines in narrow two-piece rows is laid out in linear time', async () => {
    const rows = TEXTRACT_JSON_BUDGET.blocks / 2;
    const blocks = Array.from(
      { length: TEXTRACT_JSON_BUDGET.blocks },
      (_, i) =>
        `{"BlockType":"LINE","Text":"x","Page":1,"Geometry":{"BoundingBox":{"Left":${i % 2 ? 0.6 : 0.1},"Top":${Math.floor(i / 2) / rows},"Width":0.01,"Height":${0.5 / rows}}}}`,
    );
    const started = performance.now();
    const document = await reader.read(textractJson(`[${blocks.join(',')}]`), 'rows.json');
    console.log(`250,000 lines laid out in ${Math.round(performance.now() - started)} ms`);
    expect(document.text.split('\n')).toHaveLength(rows);
  });
});

describe('image budgets, checked from the headers before anything is decoded', () => {
  it('a TIFF of more than 3,000 pages is refused without counting them all', async () => {
    await expect(refusal(tiff(LIMITS.pages + 1), 'pages.tif')).resolves.toMatchObject({
      code: 'TOO_MANY_PAGES',
      message: 'pages.tif: more than 3000 pages is over the 3000-page limit',
    });
    // 3,000 pages pass the page limit and are held to the OCR budget, still before any OCR.
    await expect(refusal(tiff(LIMITS.pages), 'pages.tif')).resolves.toMatchObject({
      code: 'OCR_BUDGET',
      message: `pages.tif: 3000 scanned pages is over the ${OCR_BUDGET.pages}-page OCR budget for one letter; split the document`,
    });
    expect(recognizer.calls).toBe(0);
  });

  it('a TIFF whose pages loop is refused', async () => {
    await expect(refusal(tiff(3, { loop: true }), 'loop.tif')).resolves.toMatchObject({
      code: 'CORRUPT',
      message: "loop.tif: the TIFF's pages link back to an earlier page (a loop); the file is damaged or built to hang a reader",
    });
  });

  it('every page of a TIFF is held to the pixel limit, not only the first', async () => {
    const secondHuge = tiff(3, { pageSize: (page) => (page === 1 ? [100_000, 100_000] : [1700, 2200]) });
    await expect(refusal(secondHuge, 'huge.tif')).resolves.toMatchObject({
      code: 'PAGE_TOO_LARGE',
      message: 'huge.tif: page 2 is 100000x100000 pixels, over the 40-megapixel limit for one page; scan letter-size pages at 300 dpi or less',
    });
    expect(recognizer.calls).toBe(0);
  });

  it.each([
    ['PNG', png(60_000, 60_000), '60000x60000'],
    ['JPEG', jpegHeader(65_000, 65_000), '65000x65000'],
  ])('a %s header past what the image library would decode is reported by its size, not as damage', async (_, bytes, size) => {
    await expect(refusal(bytes, 'bomb')).resolves.toMatchObject({
      code: 'PAGE_TOO_LARGE',
      message: `bomb: a page of ${size} pixels is over the 40-megapixel limit for one page; scan letter-size pages at 300 dpi or less`,
    });
    expect(recognizer.calls).toBe(0);
  });
});
