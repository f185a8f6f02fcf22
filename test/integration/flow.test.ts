import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DetectDocumentTextCommand,
  GetDocumentTextDetectionCommand,
  StartDocumentTextDetectionCommand,
  TextractClient,
  ThrottlingException,
} from '@aws-sdk/client-textract';
import { completeTextractJob, documentId, ingestObject, LargerThanAskedError, letterIdOf, type IngestDependencies } from '../../functions/service/ingest.ts';
import { saveReading } from '../../functions/service/ledger.ts';
import { DocumentReader } from '../../functions/reader/read-document.ts';
import { TextractOcr } from '../../functions/adapters/textract/textract-ocr.ts';
import { route } from '../../functions/query/routes.ts';
import { httpAnswer } from '../../functions/query/http-errors.ts';
import { loadGoldenLetters } from '../fixtures/golden.ts';
import { printedLines } from '../fixtures/variants.ts';
import { renderScan } from '../fixtures/scans.ts';
import { textractResponseFor } from '../fixtures/textract-factory.ts';
import { INBOX, RecordingPublisher, startLocalStack, TEXT_BUCKET, type LocalStack } from './harness.ts';
import { coverSheet, letterPages, stackText } from '../fixtures/stacks.ts';
import { classifyLetter, type ClassifiedDetermination } from '../../functions/domain/index.ts';

const letters = loadGoldenLetters();
const textract = mockClient(TextractClient);
let stack: LocalStack;
let events: RecordingPublisher;
let clock = Date.parse('2026-11-01T10:00:00Z');

function deps(overrides: Partial<IngestDependencies> = {}): IngestDependencies {
  return {
    store: stack.store,
    objects: stack.objects,
    events,
    reader: new DocumentReader(() => {
      throw new Error('no local OCR in these tests');
    }),
    now: () => new Date((clock += 1000)),
    ...overrides,
  };
}

/** The real object store with some methods replaced. */
function withObjects(overrides: Partial<LocalStack['objects']>): LocalStack['objects'] {
  const real = stack.objects;
  return Object.assign(Object.create(real) as LocalStack['objects'], overrides);
}

const withTextract = () => deps({ textract: new TextractOcr({ client: new TextractClient({ region: 'us-east-1' }), minRetryDelayMs: 1, maxRetryDelayMs: 2 }) });

beforeAll(async () => {
  stack = await startLocalStack();
}, 60_000);
afterAll(() => stack?.stop());
beforeEach(() => {
  events = new RecordingPublisher();
  textract.reset();
});

describe('ingest: a text letter lands in the inbox', () => {
  it('is recorded, classified, stored with its text, and announced', async () => {
    await stack.upload('2026/letter one.txt', letters[3]!.text);
    const result = await ingestObject(deps(), INBOX, '2026/letter one.txt');
    expect(result).toEqual({ id: documentId(Buffer.from(letters[3]!.text, 'latin1')), outcome: 'CLASSIFIED' });
    const stored = await stack.store.getDetermination(result.id);
    expect(stored).toMatchObject({
      id: result.id,
      status: 'CLASSIFIED',
      outcome: 'PARTIALLY_OVERTURNED',
      needsReview: false,
      sourceKeys: [`${INBOX}/2026/letter one.txt`],
    });
    expect(await stack.objects.getText(result.id)).toBe(letters[3]!.text);
    expect(events.events).toEqual([
      expect.objectContaining({
        type: 'determination.classified',
        data: expect.objectContaining({ id: result.id, outcome: 'PARTIALLY_OVERTURNED', links: { self: `/determinations/${result.id}` } }),
      }),
    ]);
    expect(events.events[0]!.data.items).toHaveLength(4);
  });

  it('reads a file holding a cover sheet and two letters as two letters, each stored, counted and announced as its own', async () => {
    const text = stackText([coverSheet(), letterPages(letters[1]!.text, 1), letterPages(letters[2]!.text, 2)]);
    await stack.upload('batch/scan.txt', text);
    const result = await ingestObject(deps(), INBOX, 'batch/scan.txt');
    expect(result).toEqual({ id: documentId(Buffer.from(text, 'latin1')), outcome: 'SPLIT' });
    const file = await stack.store.getDocument(result.id);
    expect(file).toMatchObject({ status: 'SPLIT', split: { setAside: [{ page: 1, role: 'COVER_SHEET', evidence: 'a fax cover sheet' }] } });
    expect(file!.split!.letters.map(({ from, to }) => ({ from, to }))).toEqual([
      { from: 2, to: 2 },
      { from: 3, to: 3 },
    ]);
    expect(file!.reason).toMatch(
      /^SPLIT: 2 letters, each read and stored as its own: [0-9a-f]{12} \(pages 2-2\), [0-9a-f]{12} \(pages 3-3\); pages 1 set aside$/,
    );
    for (const [n, letter] of file!.split!.letters.entries()) {
      const stored = await stack.store.getDetermination(letter.id);
      expect(stored).toMatchObject({
        status: 'CLASSIFIED',
        sourceDocument: result.id,
        pages: { from: letter.from, to: letter.to },
        sourceKeys: [`${INBOX}/batch/scan.txt`],
      });
      expect((stored as ClassifiedDetermination).items.map((item) => item.request)).toEqual(letters[n + 1]!.golden.items.map((item) => item.request));
      // The letter's own text, for a person checking it and for a newer engine reading it again.
      expect(await stack.objects.getText(letter.id)).toBe(letterPages(letters[n + 1]!.text, n + 1).pages.join('\f'));
    }
    expect(events.events.map((event) => [event.type, event.data.id])).toEqual(file!.split!.letters.map((letter) => ['determination.classified', letter.id]));
    // The same file again: nothing read twice.
    await stack.upload('batch/again.txt', text);
    expect((await ingestObject(deps(), INBOX, 'batch/again.txt')).outcome).toBe('DUPLICATE');
    expect(events.events).toHaveLength(2);
  });

  it('reads a file of several letters again after a delivery that stopped part way, announcing only the letters not yet read', async () => {
    const parts = [letterPages(letters[0]!.text, 0), letterPages(letters[3]!.text, 3)];
    const text = `${stackText(parts)}\n\nSecond batch.\n`;
    await stack.upload('batch/again-part-way.txt', text);
    const fileId = documentId(Buffer.from(text, 'latin1'));
    // The first letter was stored and announced by the delivery that stopped.
    const first = letterIdOf(fileId, { from: 1, to: 1 });
    await stack.store.recordReceipt(first, `${INBOX}/batch/again-part-way.txt`, '2026-11-01T10:00:00.000Z');
    await saveReading(stack.store, first, classifyLetter(parts[0]!.pages.join('\f')), '2026-11-01T10:00:01.000Z');
    const result = await ingestObject(deps(), INBOX, 'batch/again-part-way.txt');
    expect(result.outcome).toBe('SPLIT');
    const file = await stack.store.getDocument(fileId);
    expect(file!.split!.letters.map((letter) => letter.id)).toEqual([first, letterIdOf(fileId, { from: 2, to: 2 })]);
    // Only the second letter is announced; the first is neither read nor announced twice.
    expect(events.events.map((event) => event.data.id)).toEqual([letterIdOf(fileId, { from: 2, to: 2 })]);
    expect((await stack.store.getDetermination(first))!.revision).toBe(1);
  });

  it('treats the same bytes under another key as one document: keys kept, no second classification', async () => {
    await stack.upload('a/first.txt', letters[0]!.text);
    await stack.upload('b/copy.txt', letters[0]!.text);
    const first = await ingestObject(deps(), INBOX, 'a/first.txt');
    const second = await ingestObject(deps(), INBOX, 'b/copy.txt');
    const again = await ingestObject(deps(), INBOX, 'a/first.txt');
    expect([first.outcome, second.outcome, again.outcome]).toEqual(['CLASSIFIED', 'DUPLICATE', 'DUPLICATE']);
    expect(second.id).toBe(first.id);
    expect((await stack.store.getDocument(first.id))!.sourceKeys).toEqual([`${INBOX}/a/first.txt`, `${INBOX}/b/copy.txt`]);
    expect(events.events).toHaveLength(1);
  });

  it('records an unreadable file as FAILED with its reason and announces it', async () => {
    await stack.upload('bad.pdf', '%PDF-1.7\nthis is not a pdf');
    const result = await ingestObject(deps(), INBOX, 'bad.pdf');
    expect(result.outcome).toBe('FAILED');
    expect(await stack.store.getDocument(result.id)).toMatchObject({
      status: 'FAILED',
      reason: expect.stringMatching(/^CORRUPT: document: not a readable PDF/),
    });
    expect(events.events.map((event) => event.type)).toEqual(['document.failed']);
  });

  it('records a foreign document as UNRECOGNIZED', async () => {
    await stack.upload('invoice.txt', 'INVOICE 2231\nServices rendered in October, payable within thirty days.');
    const result = await ingestObject(deps(), INBOX, 'invoice.txt');
    expect(result.outcome).toBe('UNRECOGNIZED');
    expect(events.events.map((event) => event.type)).toEqual(['determination.unrecognized']);
  });

  it('on the last delivery, records FAILED for an unexpected error and still throws it for the dead-letter queue', async () => {
    await stack.upload('poison.txt', 'HOW THE IMR FINAL DETERMINATION WAS MADE (poison)');
    const broken = deps({
      objects: withObjects({
        putReading: async () => {
          throw new Error('disk full');
        },
      }),
    });
    await expect(ingestObject(broken, INBOX, 'poison.txt', { finalAttempt: false })).rejects.toThrow('disk full');
    const id = documentId(Buffer.from('HOW THE IMR FINAL DETERMINATION WAS MADE (poison)'));
    expect((await stack.store.getDocument(id))!.status).toBe('RECEIVED');
    await expect(ingestObject(broken, INBOX, 'poison.txt', { finalAttempt: true })).rejects.toThrow('disk full');
    expect(await stack.store.getDocument(id)).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/^PROCESSING_FAILED: Error after every retry/) });
  });

  it('fails a document DISK_FULL when the disk is full on the last delivery, and reads it when it arrives again', async () => {
    const text = `${letters[2]!.text}\n\nDisk copy.\n`;
    await stack.upload('disk/one.txt', text);
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const broken = deps({
      objects: withObjects({
        putReading: async () => {
          throw full;
        },
      }),
    });
    await expect(ingestObject(broken, INBOX, 'disk/one.txt', { finalAttempt: true })).rejects.toBe(full);
    const id = documentId(Buffer.from(text, 'latin1'));
    expect(await stack.store.getDocument(id)).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/^DISK_FULL: /) });
    // Space freed, the same file uploaded again: the service's own failure is not final.
    await stack.upload('disk/again.txt', text);
    expect(await ingestObject(deps(), INBOX, 'disk/again.txt')).toEqual({ id, outcome: 'CLASSIFIED' });
    expect(events.events.map((event) => event.type)).toEqual(['document.failed', 'determination.classified']);
  });

  it('answers a re-upload of a document that failed on its own bytes as a duplicate, without reading it again', async () => {
    await stack.upload('again/bad.pdf', '%PDF-1.7\nthis is still not a pdf');
    const first = await ingestObject(deps(), INBOX, 'again/bad.pdf');
    expect(first.outcome).toBe('FAILED');
    await stack.upload('again/bad-2.pdf', '%PDF-1.7\nthis is still not a pdf');
    expect(await ingestObject(deps(), INBOX, 'again/bad-2.pdf')).toEqual({ id: first.id, outcome: 'DUPLICATE' });
    expect(await stack.store.getDocument(first.id)).toMatchObject({
      status: 'FAILED',
      reason: expect.stringMatching(/^CORRUPT: /),
      sourceKeys: [`${INBOX}/again/bad-2.pdf`, `${INBOX}/again/bad.pdf`],
    });
  });
});

describe('ingest: scans through Textract (mocked), store and bucket real', () => {
  it('reads a single scanned page synchronously', async () => {
    const [page] = (await renderScan(printedLines(letters[0]!.text).slice(0, 30), 'photo', 1)).files;
    await stack.upload('photo.png', page!);
    textract.on(DetectDocumentTextCommand).resolves(textractResponseFor([printedLines(letters[0]!.text)]) as never);
    const result = await ingestObject(withTextract(), INBOX, 'photo.png');
    expect(result.outcome).toBe('CLASSIFIED');
    expect(textract).toReceiveCommandTimes(DetectDocumentTextCommand, 1);
    expect((await stack.store.getDetermination(result.id))!).toMatchObject({ status: 'CLASSIFIED', outcome: 'UPHELD' });
    // Where Textract's lines lie on the page is kept with the reading, for the console's marks.
    const [lines] = (await stack.objects.getLayout(result.id))!.pages;
    expect(lines![0]).toEqual({
      text: printedLines(letters[0]!.text)
        .find((line) => line.trim())!
        .trim(),
      box: [0.08, 0.05, expect.any(Number), 0.062],
    });
  });

  it('starts an asynchronous job for a multi-page fax, retrying throttles, then completes it from the notice', async () => {
    const [tiff] = (await renderScan(printedLines(letters[1]!.text), 'fax-fine', 2)).files;
    await stack.upload('fax.tif', tiff!);
    const id = documentId(tiff!);
    textract
      .on(StartDocumentTextDetectionCommand)
      .rejectsOnce(new ThrottlingException({ message: 'slow down', $metadata: {} }))
      .resolves({ JobId: 'job-7' });
    const started = await ingestObject(withTextract(), INBOX, 'fax.tif');
    expect(started).toEqual({ id, outcome: 'OCR_PENDING' });
    expect(textract).toReceiveCommandWith(StartDocumentTextDetectionCommand, {
      DocumentLocation: { S3Object: { Bucket: INBOX, Name: 'fax.tif' } },
      ClientRequestToken: id,
      JobTag: id,
    });
    expect((await stack.store.getDocument(id))!.status).toBe('OCR_PENDING');
    expect((await ingestObject(withTextract(), INBOX, 'fax.tif')).outcome).toBe('DUPLICATE');

    const lines = printedLines(letters[1]!.text);
    // Textract was unsure of one number: the item it belongs to goes to a person, named.
    textract.on(GetDocumentTextDetectionCommand).resolves(textractResponseFor([lines.slice(0, 40), lines.slice(40)], 98.5, { '#60:': 61.2 }) as never);
    expect(await completeTextractJob(withTextract(), { jobId: 'job-7', status: 'SUCCEEDED', documentId: id })).toBe('CLASSIFIED');
    const read = (await stack.store.getDetermination(id))!;
    expect(read).toMatchObject({ outcome: 'PARTIALLY_OVERTURNED', needsReview: true });
    if (read.status !== 'CLASSIFIED') throw new Error('not classified');
    expect(read.items.map((item) => item.request.includes('#60') && item.flags.includes('LOW_CONFIDENCE'))).toEqual(
      read.items.map((item) => item.request.includes('#60')),
    );
    expect(read.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/"#60" in the request was read through characters OCR was unsure of/)]));
    // What the reading knew is kept beside its text, for a re-reading.
    expect((await stack.objects.getReading(id))!.context).toMatchObject({
      pageCount: 2,
      doubtfulWords: [{ text: '#60:', confidence: 0.612, context: '5MG #60: Upheld' }],
      pageConfidences: [expect.any(Number), expect.any(Number)],
    });
    const layout = (await stack.objects.getLayout(id))!;
    expect(layout.pages.map((page) => page!.length)).toEqual([
      lines.slice(0, 40).filter((line) => line.trim()).length,
      lines.slice(40).filter((line) => line.trim()).length,
    ]);
    expect(await completeTextractJob(withTextract(), { jobId: 'job-7', status: 'SUCCEEDED', documentId: id })).toBe('DUPLICATE');
  });

  it('records a failed Textract job as FAILED', async () => {
    const [tiff] = (await renderScan(printedLines(letters[2]!.text), 'fax-standard', 3)).files;
    await stack.upload('fax2.tif', tiff!);
    textract.on(StartDocumentTextDetectionCommand).resolves({ JobId: 'job-8' });
    const { id } = await ingestObject(withTextract(), INBOX, 'fax2.tif');
    expect(await completeTextractJob(withTextract(), { jobId: 'job-8', status: 'FAILED', documentId: id })).toBe('FAILED');
    expect(await stack.store.getDocument(id)).toMatchObject({ status: 'FAILED', reason: 'TEXTRACT_FAILED: Textract job ended FAILED' });
  });
});

describe('query routes over the store', () => {
  it('lists determinations newest first, page by page, with no duplicates or gaps', async () => {
    const all = JSON.parse(String((await route(stack.store, { method: 'GET', path: '/determinations', query: { limit: '200' } })).body)) as {
      data: Array<{ id: string; receivedAt: string }>;
    };
    expect(all.data.length).toBeGreaterThanOrEqual(4);
    const receivedAt = all.data.map((item) => item.receivedAt);
    expect([...receivedAt].sort().reverse()).toEqual(receivedAt);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = JSON.parse(
        String((await route(stack.store, { method: 'GET', path: '/determinations', query: { limit: '2', ...(cursor ? { cursor } : {}) } })).body),
      ) as {
        data: Array<{ id: string }>;
        nextCursor: string | null;
      };
      seen.push(...page.data.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.data.map((item) => item.id));
  });

  it('answers one determination and a document status', async () => {
    const { body } = await route(stack.store, { method: 'GET', path: '/determinations', query: { limit: '1' } });
    // A list is answered as JSON bytes written from the stored rows.
    const id = (JSON.parse(String(body)) as { data: Array<{ id: string }> }).data[0]!.id;
    expect((await route(stack.store, { method: 'GET', path: `/determinations/${id}`, query: {} })).body).toMatchObject({ id, schemaVersion: 1 });
    expect((await route(stack.store, { method: 'GET', path: `/documents/${id}/status`, query: {} })).body).toEqual({
      id,
      status: expect.any(String),
      reason: 'CLASSIFIED: read as an IMR Final Determination',
      updatedAt: expect.any(String),
    });
  });

  it.each([
    [{ limit: '0' }, /^limit: /],
    [{ limit: '201' }, /^limit: /],
    [{ limit: 'ten' }, /^limit: /],
    [{ colour: 'blue' }, /^unknown parameter: colour$/],
    [{ cursor: 'bm9wZQ.forged' }, /^cursor: /],
  ])('answers 400 naming the parameter for %o', async (query, message) => {
    const answer = await route(stack.store, { method: 'GET', path: '/determinations', query }).then(() => null, httpAnswer);
    expect(answer!.statusCode).toBe(400);
    expect(JSON.parse(answer!.body).error.message).toMatch(message);
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const malformed = await route(stack.store, { method: 'GET', path: '/determinations/xyz', query: {} }).then(() => null, httpAnswer);
    expect(malformed).toMatchObject({ statusCode: 400 });
    const unknown = await route(stack.store, { method: 'GET', path: `/documents/${'0'.repeat(64)}/status`, query: {} }).then(() => null, httpAnswer);
    expect(unknown).toMatchObject({ statusCode: 404 });
  });
});

describe('reclassify stored letters with a newer engine', () => {
  it('re-reads letters of an older engine from their stored text, without OCR, and announces changes', async () => {
    const { reclassifyStored } = await import('../../functions/ops/reclassify.ts');
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
    await stack.upload('old/engine.txt', letters[2]!.text);
    const { id } = await ingestObject(deps(), INBOX, 'old/engine.txt');
    const stored = (await stack.store.getDetermination(id))!;
    // Pretend an older engine read it and got the outcome wrong.
    const older = { ...stored, engineVersion: '0.9.0', outcome: 'OVERTURNED' };
    await DynamoDBDocumentClient.from(stack.dynamoClient).send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { pk: `DOC#${id}`, sk: 'DOC' },
        UpdateExpression: 'SET determination = :d',
        ExpressionAttributeValues: { ':d': JSON.stringify(older) },
      }),
    );
    events = new RecordingPublisher();
    const report = await reclassifyStored({ store: stack.store, objects: stack.objects, events, now: () => new Date() });
    expect(report.reclassified).toBeGreaterThanOrEqual(1);
    expect(report.changed).toBeGreaterThanOrEqual(1);
    expect((await stack.store.getDetermination(id))!).toMatchObject({ engineVersion: stored.engineVersion, outcome: 'UPHELD' });
    expect(events.events.some((event) => event.data.id === id)).toBe(true);
    const again = await reclassifyStored({ store: stack.store, objects: stack.objects, events, now: () => new Date() });
    expect(again.reclassified).toBe(0);
  });

  it('keeps what only the reader knew: a page it could not read stays INCOMPLETE through a re-reading, with or without the stored context', async () => {
    const { reclassifyStored } = await import('../../functions/ops/reclassify.ts');
    const { DynamoDBDocumentClient, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { DeleteObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const text = `${letters[3]!.text}\n\nKept reading.\n`;
    await stack.upload('kept/reading.txt', text);
    const { id } = await ingestObject(deps(), INBOX, 'kept/reading.txt');
    // As the reader of a fax would have stored it: its third page unreadable.
    const unreadable = 'page 3 of 3 could not be read (OCR confidence 21%)';
    await stack.objects.putReading(id, { text, context: { pageCount: 3, incomplete: [unreadable] } });
    const makeOld = async () => {
      const stored = (await stack.store.getDetermination(id))!;
      await DynamoDBDocumentClient.from(stack.dynamoClient).send(
        new UpdateCommand({
          TableName: stack.tableName,
          Key: { pk: `DOC#${id}`, sk: 'DOC' },
          UpdateExpression: 'SET determination = :d',
          ExpressionAttributeValues: { ':d': JSON.stringify({ ...stored, engineVersion: '0.9.0' }) },
        }),
      );
    };
    await makeOld();
    const report = await reclassifyStored({ store: stack.store, objects: stack.objects, events, now: () => new Date() });
    expect(report.withoutContext).not.toContain(id);
    const reread = (await stack.store.getDetermination(id))!;
    expect(reread).toMatchObject({
      needsReview: true,
      flags: expect.arrayContaining(['INCOMPLETE']),
      warnings: expect.arrayContaining([`incomplete: ${unreadable}`]),
    });

    // A reading stored before contexts were kept (its text alone, as an earlier version wrote it): re-read from its text, its flag is kept and it is reported.
    await stack.s3Client.send(new DeleteObjectCommand({ Bucket: TEXT_BUCKET, Key: `text/${id}.json` }));
    await stack.s3Client.send(new PutObjectCommand({ Bucket: TEXT_BUCKET, Key: `text/${id}.txt`, Body: text }));
    await makeOld();
    const second = await reclassifyStored({ store: stack.store, objects: stack.objects, events, now: () => new Date() });
    expect(second.withoutContext).toContain(id);
    expect((await stack.store.getDetermination(id))!).toMatchObject({
      needsReview: true,
      flags: expect.arrayContaining(['INCOMPLETE']),
      warnings: expect.arrayContaining([`incomplete: ${unreadable}`]),
    });
  });
});

describe('ingest: an object larger than the caller asked for', () => {
  it('is left unread and unrecorded, for the caller to read where large objects are; one over the document limit still fails', async () => {
    const bytes = '%PDF-1.7 pretend this is 2 MB';
    await stack.upload('grown.pdf', bytes);
    const asked: number[] = [];
    const sized = (size: number) =>
      withObjects({
        getWithin: async (_bucket, _key, maxBytes) => {
          asked.push(maxBytes);
          return { tooLarge: size };
        },
      });
    const refused = await ingestObject(deps({ objects: sized(2 * 1024 * 1024) }), INBOX, 'grown.pdf', { atMostBytes: 1024 * 1024 }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(LargerThanAskedError);
    expect(refused).toMatchObject({ code: 'LARGER_THAN_ASKED', size: 2 * 1024 * 1024 });
    expect(asked).toEqual([1024 * 1024]);
    expect(await stack.store.getDocument(documentId(Buffer.from(bytes)))).toBeNull();
    // Over the document limit it is what it always was: FAILED with its reason, whatever was asked.
    const result = await ingestObject(deps({ objects: sized(600 * 1024 * 1024) }), INBOX, 'grown.pdf', { atMostBytes: 1024 * 1024 });
    expect(result.outcome).toBe('FAILED');
    expect(await stack.store.getDocument(result.id)).toMatchObject({ reason: 'TOO_LARGE: document: 600.0 MB is over the 500 MB limit' });
  });
});

describe('ingest: a document over the size limit', () => {
  it('is hashed as a stream and recorded FAILED, never read whole', async () => {
    await stack.upload('oversized.pdf', '%PDF-1.7 pretend this is 600 MB');
    let reads = 0;
    const objects = withObjects({
      getWithin: async () => ({ tooLarge: 600 * 1024 * 1024 }),
      get: async () => {
        reads++;
        return new Uint8Array();
      },
    });
    const result = await ingestObject(deps({ objects }), INBOX, 'oversized.pdf');
    expect(reads).toBe(0);
    expect(result).toEqual({ id: documentId(Buffer.from('%PDF-1.7 pretend this is 600 MB')), outcome: 'FAILED' });
    expect(await stack.store.getDocument(result.id)).toMatchObject({ status: 'FAILED', reason: 'TOO_LARGE: document: 600.0 MB is over the 500 MB limit' });
  });
});

describe('the sweep of documents whose Textract notice never came', () => {
  const MINUTE = 60_000;
  /** A scanned fax uploaded and sent to Textract as `jobId`, whose completion notice is then lost. */
  async function pendingFax(name: string, seed: number, jobId: string): Promise<string> {
    const [tiff] = (await renderScan(printedLines(letters[seed % letters.length]!.text), 'fax-fine', seed)).files;
    await stack.upload(name, tiff!);
    textract.on(StartDocumentTextDetectionCommand).resolves({ JobId: jobId });
    const { id, outcome } = await ingestObject(withTextract(), INBOX, name);
    expect(outcome).toBe('OCR_PENDING');
    return id;
  }
  const sweepAt = async (at: number) => {
    const { sweepPendingOcr } = await import('../../functions/service/sweep.ts');
    return sweepPendingOcr({ ...withTextract(), now: () => new Date(at) });
  };

  it('reads a finished job whose notice was lost, fails a job that never finishes or that Textract no longer knows, and leaves a recent one waiting', async () => {
    const lost = await pendingFax('sweep/lost.tif', 11, 'job-lost');
    const stuck = await pendingFax('sweep/stuck.tif', 12, 'job-stuck');
    const gone = await pendingFax('sweep/gone.tif', 13, 'job-gone');
    const startedAt = clock;
    const lines = printedLines(letters[11 % letters.length]!.text);
    textract.on(GetDocumentTextDetectionCommand, { JobId: 'job-lost' }).resolves(textractResponseFor([lines]) as never);
    textract.on(GetDocumentTextDetectionCommand, { JobId: 'job-stuck' }).resolves({ JobStatus: 'IN_PROGRESS' });
    textract
      .on(GetDocumentTextDetectionCommand, { JobId: 'job-gone' })
      .rejects(Object.assign(new Error('Request has invalid Job Id'), { name: 'InvalidJobIdException' }));

    // Within the grace a notice may still come: nothing is asked.
    expect(await sweepAt(startedAt + 5 * MINUTE)).toMatchObject({ waiting: 3, recovered: 0, failed: 0 });
    expect(textract).toReceiveCommandTimes(GetDocumentTextDetectionCommand, 0);

    events = new RecordingPublisher();
    const first = await sweepAt(startedAt + 31 * MINUTE);
    expect(first).toMatchObject({ recovered: 1, failed: 1, waiting: 1, errors: 0 });
    expect(textract).toReceiveCommandWith(GetDocumentTextDetectionCommand, { JobId: 'job-lost' });
    expect((await stack.store.getDocument(lost))!.status).toBe('CLASSIFIED');
    expect(events.events.some((event) => event.type === 'determination.classified' && event.data.id === lost)).toBe(true);
    expect(await stack.store.getDocument(gone)).toMatchObject({
      status: 'FAILED',
      reason: expect.stringMatching(/^JOB_UNKNOWN: Textract no longer knows the job/),
    });
    expect((await stack.store.getDocument(stuck))!.status).toBe('OCR_PENDING');

    const later = await sweepAt(startedAt + 25 * 60 * MINUTE);
    expect(later).toMatchObject({ failed: 1, waiting: 0 });
    expect(await stack.store.getDocument(stuck)).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/^OCR_TIMEOUT: /) });
    expect(
      events.events
        .filter((event) => event.type === 'document.failed')
        .map((event) => event.data.id)
        .sort(),
    ).toEqual([gone, stuck].sort());

    // The service's failure, not the document's: uploaded again, it is sent to Textract again.
    textract.on(StartDocumentTextDetectionCommand).resolves({ JobId: 'job-again' });
    expect(await ingestObject(withTextract(), INBOX, 'sweep/stuck.tif')).toEqual({ id: stuck, outcome: 'OCR_PENDING' });
  }, 60_000);
});

describe('ingest: documents Textract cannot take', () => {
  it('records a document Textract calls unsupported as FAILED at once', async () => {
    const [tiff] = (await renderScan(printedLines(letters[0]!.text), 'fax-standard', 8)).files;
    await stack.upload('unsupported.tif', tiff!);
    textract.on(StartDocumentTextDetectionCommand).rejects(Object.assign(new Error('bad'), { name: 'UnsupportedDocumentException' }));
    const result = await ingestObject(withTextract(), INBOX, 'unsupported.tif');
    expect(result.outcome).toBe('FAILED');
    expect(await stack.store.getDocument(result.id)).toMatchObject({
      status: 'FAILED',
      reason: 'UNSUPPORTED_DOCUMENT: Textract cannot read the document (UnsupportedDocumentException)',
    });
  });

  it("refuses a single page image over Textract's 10 MB limit before calling it", async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(big);
    await stack.upload('huge.png', big);
    const result = await ingestObject(withTextract(), INBOX, 'huge.png');
    expect(result.outcome).toBe('FAILED');
    expect(textract).toReceiveCommandTimes(DetectDocumentTextCommand, 0);
    expect((await stack.store.getDocument(result.id))!.reason).toMatch(/^TOO_LARGE: document: a PNG page of 10\.0 MB is over the 10\.0 MB limit for one page/);
  });
});

describe('ingest: a letter with more items than one DynamoDB transaction holds', () => {
  it('stores every item', async () => {
    const { letterText } = await import('../fixtures/factories.ts');
    const text = letterText({
      items: Array.from({ length: 120 }, (_, i) => ({ request: `Physical therapy ${i + 1} sessions for the lumbar spine`, decision: 'Overturned' })),
    });
    await stack.upload('long.txt', text);
    const { id, outcome } = await ingestObject(deps(), INBOX, 'long.txt');
    expect(outcome).toBe('CLASSIFIED');
    const items = [];
    let cursor: string | undefined;
    do {
      const page = await stack.store.listItems({ limit: 200, cursor, category: 'REHABILITATION' });
      items.push(...page.data.filter((item) => item.documentId === id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(items).toHaveLength(120);
  });
});
