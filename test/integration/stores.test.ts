import { route } from '../../functions/query/routes.ts';
import { letterFingerprint } from '../../functions/domain/index.ts';
import { httpAnswer } from '../../functions/query/http-errors.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCorrection, classifyLetter, CorrectionSchema, ENGINE_VERSION, type ClassifiedDetermination } from '../../functions/domain/index.ts';
import { LmdbDeterminationStore } from '../../functions/adapters/lmdb/determination-store.ts';
import { open } from 'lmdb';
import { CursorCodec } from '../../functions/common/cursor.ts';
import type { DeterminationStore } from '../../functions/service/ports.ts';
import { letterText } from '../fixtures/factories.ts';
import { startLocalStack, waitFor, type LocalStack } from './harness.ts';
import { localDynamoClient } from '../../functions/local/stand-ins.ts';
import { DynamoDeterminationStore } from '../../functions/adapters/dynamodb/determination-store.ts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { saveCorrection, saveReading } from '../../functions/service/ledger.ts';

/** A classified Determination with the given items, read by the engine from a letter built to order. */
function determinationOf(caseNumber: string, items: Array<{ request: string; decision: 'UPHELD' | 'OVERTURNED' }>): ClassifiedDetermination {
  const letter = letterText({
    preamble: [`Case Number: ${caseNumber}`, ''],
    items: items.map((item) => ({ request: item.request, decision: item.decision === 'UPHELD' ? 'Upheld' : 'Overturned' })),
  });
  const determination = classifyLetter(letter);
  if (determination.status !== 'CLASSIFIED') throw new Error('fixture letter not classified');
  return determination;
}

const folder = mkdtempSync(join(tmpdir(), 'imr-lmdb-'));
let stack: LocalStack;
const stores: Record<string, () => DeterminationStore> = {};

beforeAll(async () => {
  stack = await startLocalStack();
  stores.dynamodb = () => stack.store;
  stores.lmdb = () => LmdbDeterminationStore.open(join(folder, `store-${Date.now()}-${Math.random()}`), new CursorCodec('test-secret'));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe.each(['lmdb', 'dynamodb'])('the %s DeterminationStore honours the port', (name) => {
  it('records receipts under every key, and saves a reading once however often it is saved', async () => {
    const store = stores[name]!();
    const id = `${name}-a`.padEnd(64, '0');
    expect((await store.recordReceipt(id, 'inbox/a.pdf', '2026-01-02T10:00:00.000Z')).created).toBe(true);
    expect((await store.recordReceipt(id, 'inbox/b.pdf', '2026-01-02T10:00:01.000Z')).created).toBe(false);
    const determination = determinationOf('CM15-0000001', [
      { request: 'Norco 10/325mg #120', decision: 'UPHELD' },
      { request: 'Physical therapy 2x6 for the lumbar spine', decision: 'OVERTURNED' },
    ]);
    const before = await store.stats('decision');
    // Each save answers what it stored, as the store answers it after (what is announced is never read back).
    for (const at of ['2026-01-02T10:00:02.000Z', '2026-01-02T10:00:03.000Z']) {
      const answered = await saveReading(store, id, determination, at);
      expect(answered).toEqual(await store.getDetermination(id));
    }
    const after = await store.stats('decision');
    const count = (rows: typeof after, key: string) => rows.find((row) => row.key === key)?.total ?? 0;
    expect(count(after, 'UPHELD') - count(before, 'UPHELD')).toBe(1);
    expect(count(after, 'OVERTURNED') - count(before, 'OVERTURNED')).toBe(1);
    expect(await store.getDetermination(id)).toMatchObject({
      id,
      status: 'CLASSIFIED',
      sourceKeys: ['inbox/a.pdf', 'inbox/b.pdf'],
      caseNumber: 'CM15-0000001',
      // Each rationale's own conclusion, answered with the letter (the console shows it beside the decision).
      conclusions: [
        { sentence: 'The request is not medically necessary.', necessary: false },
        { sentence: 'The request is medically necessary.', necessary: true },
      ],
    });
    // A failure recorded after the reading (a late retry) never replaces it.
    await store.markFailed(id, 'OCR_FAILED: late retry', '2026-01-02T10:00:04.000Z');
    expect((await store.getDocument(id))?.status).toBe('CLASSIFIED');
  });

  it('stores a correction over the revision it saw, with its history, counters that follow, and no re-reading over it', async () => {
    const store = stores[name]!();
    const id = `${name}-correct`.padEnd(64, '0');
    await store.recordReceipt(id, 'inbox/fix.txt', '2026-05-01T10:00:00.000Z');
    const read = determinationOf('CM15-0000777', [{ request: 'Tramadol 50mg #60', decision: 'UPHELD' }]);
    await saveReading(store, id, read, '2026-05-01T10:00:01.000Z');
    const stored = await store.getDetermination(id);
    expect(stored).toMatchObject({ revision: 1 });
    expect(stored!.reviewedBy).toBeUndefined();
    const before = await store.stats('decision');
    const count = (rows: typeof before, key: string) => rows.find((row) => row.key === key)?.total ?? 0;
    const { determination, changes } = applyCorrection(read, CorrectionSchema.parse({ items: [{ index: 0, decision: 'OVERTURNED' }], reviewed: true }));
    const entry = { revision: 2, at: '2026-05-01T11:00:00.000Z', by: 'paralegal@firm', changes, note: 'per the fax' };
    expect(
      await saveCorrection(store, id, { expectedRevision: 1, determination, entry, reviewed: { by: 'paralegal@firm', at: entry.at }, receivedOn: null }),
    ).toBe('SAVED');
    // The same revision again is stale: someone else's correction came first.
    expect(await saveCorrection(store, id, { expectedRevision: 1, determination, entry, reviewed: null, receivedOn: null })).toBe('STALE');
    expect(await store.getDetermination(id)).toMatchObject({
      revision: 2,
      outcome: 'OVERTURNED',
      needsReview: false,
      reviewedBy: 'paralegal@firm',
      reviewedAt: entry.at,
    });
    const after = await store.stats('decision');
    expect([count(after, 'UPHELD') - count(before, 'UPHELD'), count(after, 'OVERTURNED') - count(before, 'OVERTURNED')]).toEqual([-1, 1]);
    expect((await store.listItems({ limit: 10, decision: 'OVERTURNED', from: '2026-05-01', to: '2026-05-01' })).data.map((item) => item.documentId)).toContain(
      id,
    );
    // Revision 1 is the engine's reading, from the file that delivered it (spec section 5).
    const reading = { revision: 1, at: '2026-05-01T10:00:01.000Z', by: `imr engine ${ENGINE_VERSION}`, changes: [], note: 'read from fix.txt' };
    expect(await store.history(id)).toEqual([entry, reading]);
    // A later correction without a new confirmation keeps the letter confirmed.
    const again = applyCorrection(
      { ...determination, status: 'CLASSIFIED' } as typeof read,
      CorrectionSchema.parse({ items: [{ index: 0, request: 'Tramadol ER 50mg #60' }] }),
    );
    const second = { revision: 3, at: '2026-05-01T12:00:00.000Z', by: 'paralegal@firm', changes: again.changes, note: null };
    expect(await saveCorrection(store, id, { expectedRevision: 2, determination: again.determination, entry: second, reviewed: null, receivedOn: null })).toBe(
      'SAVED',
    );
    expect(await store.getDetermination(id)).toMatchObject({ revision: 3, needsReview: false, reviewedBy: 'paralegal@firm' });
    expect((await store.history(id)).map((item) => item.revision)).toEqual([3, 2, 1]);
    // A newer engine reading the letter again leaves the correction as it is, and says it stored nothing.
    expect(await saveReading(store, id, read, '2026-05-02T10:00:00.000Z')).toBeNull();
    expect(await store.getDetermination(id)).toMatchObject({ revision: 3, outcome: 'OVERTURNED' });
  });

  it('answers deadlines from the day of receipt in California or the day a person set, and filters on the earliest', async () => {
    const store = stores[name]!();
    const id = `${name}-deadlines`.padEnd(64, '0');
    // 2015-01-24 at 02:00 UTC is still Friday the 23rd in California.
    await store.recordReceipt(id, 'inbox/due.txt', '2015-01-24T02:00:00.000Z');
    const read = determinationOf('CM15-0000321', [{ request: 'Acupuncture x6', decision: 'OVERTURNED' }]);
    await saveReading(store, id, { ...read, dates: { ...read.dates, decision: '2015-01-21' } }, '2015-01-24T02:00:01.000Z');
    const stored = (await store.getDetermination(id))!;
    expect(stored.receivedOn).toBe('2015-01-23');
    expect(stored.deadlines.map((deadline) => [deadline.kind, deadline.due])).toEqual([
      ['AUTHORIZE', '2015-01-30'],
      ['REIMBURSE', '2015-02-12'],
      ['APPEAL', '2015-02-20'],
    ]);
    const due = async (dueBefore: string) =>
      (await store.listDeterminations({ limit: 50, dueBefore, from: '2015-01-01', to: '2015-02-28' })).data.map((determination) => determination.id);
    expect(await due('2015-01-30')).toEqual([id]);
    expect(await due('2015-01-29')).toEqual([]);
    // A person says it arrived on Wednesday 2014-11-26 (before Thanksgiving): every deadline moves with it.
    const entry = {
      revision: 2,
      at: '2015-01-26T10:00:00.000Z',
      by: 'clerk@firm',
      changes: [{ path: 'receivedOn', from: '2015-01-23', to: '2014-11-26' }],
      note: null,
    };
    expect(
      await saveCorrection(store, id, {
        expectedRevision: 1,
        determination: { ...read, dates: { ...read.dates, decision: '2015-01-21' } },
        entry,
        reviewed: null,
        receivedOn: '2014-11-26',
      }),
    ).toBe('SAVED');
    const moved = (await store.getDetermination(id))!;
    expect([moved.receivedOn, moved.deadlines[0]!.due]).toEqual(['2014-11-26', '2014-12-05']);
    expect(await due('2014-12-05')).toEqual([id]);
    // A re-reading keeps the day the person set.
    await saveReading(store, id, read, '2015-01-27T10:00:00.000Z');
    expect((await store.getDetermination(id))!.receivedOn).toBe('2014-11-26');
  });

  it('puts a letter received long after its date in the review queue until a person sets or confirms the day of receipt', async () => {
    const store = stores[name]!();
    const id = `${name}-late-receipt`.padEnd(64, '0');
    await store.recordReceipt(id, 'inbox/late.txt', '2015-03-02T18:00:00.000Z');
    const read = determinationOf('CM15-0000654', [{ request: 'Acupuncture x6', decision: 'OVERTURNED' }]);
    const dated = { ...read, dates: { ...read.dates, decision: '2015-01-21' } };
    expect(read.flags).toEqual([]);
    await saveReading(store, id, dated, '2015-03-02T18:00:01.000Z');
    const stored = (await store.getDetermination(id))!;
    expect(stored.needsReview).toBe(true);
    expect(stored.deadlines[0]!.caution).toMatch(/40 days after its date/);
    const entry = {
      revision: 2,
      at: '2015-03-03T10:00:00.000Z',
      by: 'clerk@firm',
      changes: [{ path: 'receivedOn', from: '2015-03-02', to: '2015-01-26' }],
      note: null,
    };
    expect(await saveCorrection(store, id, { expectedRevision: 1, determination: dated, entry, reviewed: null, receivedOn: '2015-01-26' })).toBe('SAVED');
    const set = (await store.getDetermination(id))!;
    expect([set.needsReview, set.deadlines[0]!.caution, set.deadlines[0]!.due]).toEqual([false, undefined, '2015-02-02']);
  });

  it('finds a document by the first 12 or more characters of its id, and says when a prefix fits two', async () => {
    const store = stores[name]!();
    const [one, two] = [`abcdef${name.length}12345aa`.padEnd(64, '1'), `abcdef${name.length}12345ab`.padEnd(64, '2')];
    for (const id of [one, two]) await store.recordReceipt(id, `inbox/${id.slice(0, 4)}.txt`, '2026-07-01T10:00:00.000Z');
    expect(await store.resolveIdPrefix(one.slice(0, 16))).toEqual([one]);
    expect((await store.resolveIdPrefix(one.slice(0, 12))).sort()).toEqual([one, two]);
    expect(await store.resolveIdPrefix('0123456789ab')).toEqual([]);
    // Through the API: a 12-character prefix of one id answers it; a shared prefix is a 409.
    const answer = await route(store, { method: 'GET', path: `/documents/${one.slice(0, 16)}/status`, query: {} });
    expect((answer.body as { id: string }).id).toBe(one);
    expect(await route(store, { method: 'GET', path: `/documents/${one.slice(0, 12)}/status`, query: {} }).then(() => null, httpAnswer)).toMatchObject({
      statusCode: 409,
    });
    expect(await route(store, { method: 'GET', path: `/documents/${one.slice(0, 11)}/status`, query: {} }).then(() => null, httpAnswer)).toMatchObject({
      statusCode: 400,
    });
  });

  it('links another form of a letter to the first, counts it once, and keeps the link through a re-reading', async () => {
    const store = stores[name]!();
    const [first, copy] = [`${name}-letter-first`.padEnd(64, '0'), `${name}-letter-copy`.padEnd(64, '0')];
    const reading = { ...determinationOf('CM15-0000555', [{ request: 'Lidoderm patch #30', decision: 'OVERTURNED' }]) };
    const dated = { ...reading, dates: { ...reading.dates, decision: '2015-02-02' } };
    const fingerprint = letterFingerprint(dated)!;
    const count = async () => (await store.stats('decision')).find((row) => row.key === 'OVERTURNED')?.total ?? 0;
    const before = await count();
    await store.recordReceipt(first, 'inbox/letter.txt', '2026-08-01T10:00:00.000Z');
    await saveReading(store, first, dated, '2026-08-01T10:00:01.000Z');
    await store.recordReceipt(copy, 'inbox/letter-fax.tif', '2026-08-01T11:00:00.000Z');
    expect((await store.lettersLike(fingerprint, 5)).map((letter) => letter.id)).toEqual([first]);
    const linked = await saveReading(store, copy, dated, '2026-08-01T11:00:01.000Z', { sameLetterAs: first });
    expect(linked).toEqual(await store.getDetermination(copy));
    expect(await count()).toBe(before + 1);
    // Its items are listed once, under the first form.
    expect((await store.listItems({ limit: 50, from: '2026-08-01', to: '2026-08-01' })).data.map((item) => item.documentId)).toEqual([first]);
    expect((await store.getDetermination(copy))!.sameLetterAs).toBe(first);
    expect((await store.getDetermination(first))!.sameLetterAs).toBeUndefined();
    // Only the first form is a candidate for later forms.
    expect((await store.lettersLike(fingerprint, 5)).map((letter) => letter.id)).toEqual([first]);
    await saveReading(store, copy, dated, '2026-08-02T10:00:00.000Z');
    expect([(await store.getDetermination(copy))!.sameLetterAs, await count()]).toEqual([first, before + 1]);
    // A person says it is another letter after all: counted and listed on its own again.
    const revision = (await store.getDetermination(copy))!.revision;
    const entry = {
      revision: revision + 1,
      at: '2026-08-03T10:00:00.000Z',
      by: 'clerk@firm',
      changes: [{ path: 'sameLetterAs', from: first, to: null }],
      note: null,
    };
    expect(await saveCorrection(store, copy, { expectedRevision: revision, determination: dated, entry, reviewed: null, receivedOn: null, unlink: true })).toBe(
      'SAVED',
    );
    expect((await store.getDetermination(copy))!.sameLetterAs).toBeUndefined();
    expect(await count()).toBe(before + 2);
    expect((await store.listItems({ limit: 50, from: '2026-08-01', to: '2026-08-01' })).data.map((item) => item.documentId).sort()).toEqual(
      [copy, first].sort(),
    );
  });

  it('lists documents newest first by status, with their reasons and keys', async () => {
    const store = stores[name]!();
    const failed = `${name}-docs-failed`.padEnd(64, '0');
    const read = `${name}-docs-read`.padEnd(64, '0');
    await store.recordReceipt(failed, 'inbox/broken.pdf', '2026-06-01T10:00:00.000Z');
    await store.markFailed(failed, 'CORRUPT: not a readable PDF', '2026-06-01T10:00:01.000Z');
    await store.recordReceipt(read, 'inbox/ok.txt', '2026-06-02T10:00:00.000Z');
    await saveReading(store, read, determinationOf('CM15-0000888', [{ request: 'Naproxen 550mg #60', decision: 'UPHELD' }]), '2026-06-02T10:00:01.000Z');
    const all = await store.listDocuments({ limit: 10, from: '2026-06-01', to: '2026-06-02' });
    expect(all.data.map((document) => document.id)).toEqual([read, failed]);
    const onlyFailed = await store.listDocuments({ limit: 10, status: 'FAILED', from: '2026-06-01', to: '2026-06-02' });
    expect(onlyFailed.data).toEqual([
      expect.objectContaining({ id: failed, status: 'FAILED', reason: 'CORRUPT: not a readable PDF', sourceKeys: ['inbox/broken.pdf'] }),
    ]);
    // A failure reopened and read leaves the FAILED list and joins the CLASSIFIED one.
    expect(await store.reopenFailed(failed, '2026-06-03T10:00:00.000Z')).toBe(true);
    const range = { limit: 10, from: '2026-06-01', to: '2026-06-02' };
    expect((await store.listDocuments({ ...range, status: 'RECEIVED' })).data.map((document) => document.id)).toEqual([failed]);
    await saveReading(store, failed, determinationOf('CM15-0000889', [{ request: 'Naproxen 550mg #30', decision: 'UPHELD' }]), '2026-06-03T10:00:01.000Z');
    expect((await store.listDocuments({ ...range, status: 'FAILED' })).data).toEqual([]);
    expect((await store.listDocuments({ ...range, status: 'RECEIVED' })).data).toEqual([]);
    expect((await store.listDocuments({ ...range, status: 'CLASSIFIED' })).data.map((document) => document.id)).toEqual([read, failed]);
  });

  it('reopens a FAILED document for another reading, and nothing else', async () => {
    const store = stores[name]!();
    const failed = `${name}-retry-f`.padEnd(64, '0');
    await store.recordReceipt(failed, 'inbox/crashed.pdf', '2026-03-01T10:00:00.000Z');
    expect(await store.claimReading(failed, 'inbox/crashed.pdf', '2026-03-01T10:00:01.000Z', 60_000)).toBe(true);
    await store.markFailed(failed, 'READER_CRASHED: the reader stopped', '2026-03-01T10:00:02.000Z');
    expect(await store.reopenFailed(failed, '2026-03-01T11:00:00.000Z')).toBe(true);
    expect(await store.getDocument(failed)).toMatchObject({
      status: 'RECEIVED',
      reason: null,
      updatedAt: '2026-03-01T11:00:00.000Z',
      sourceKeys: ['inbox/crashed.pdf'],
    });
    // The claim went with the failure: another delivery may read it now.
    expect(await store.claimReading(failed, 'inbox/other.pdf', '2026-03-01T11:00:01.000Z', 60_000)).toBe(true);
    // Only a failure is reopened: a reading stays, and so does a document still being read.
    expect(await store.reopenFailed(failed, '2026-03-01T11:00:02.000Z')).toBe(false);
    const read = `${name}-retry-c`.padEnd(64, '0');
    await store.recordReceipt(read, 'inbox/read.txt', '2026-03-01T10:00:00.000Z');
    await saveReading(store, read, determinationOf('CM15-0000009', [{ request: 'Norco 10/325mg #60', decision: 'UPHELD' }]), '2026-03-01T10:00:01.000Z');
    expect(await store.reopenFailed(read, '2026-03-01T11:00:00.000Z')).toBe(false);
    expect((await store.getDocument(read))?.status).toBe('CLASSIFIED');
    expect(await store.reopenFailed('f'.repeat(64), '2026-03-01T11:00:00.000Z')).toBe(false);
  });

  it('keeps why a document is not an IMR letter', async () => {
    const store = stores[name]!();
    const id = `${name}-foreign`.padEnd(64, '0');
    await store.recordReceipt(id, 'inbox/invoice.txt', '2026-04-02T10:00:00.000Z');
    await saveReading(
      store,
      id,
      classifyLetter('INVOICE 4471\nConsultation fee $250.00\nPlease remit within thirty days of receipt of this invoice.'),
      '2026-04-02T10:00:01.000Z',
    );
    expect(await store.getDocument(id)).toMatchObject({ status: 'UNRECOGNIZED', reason: expect.stringMatching(/^UNRECOGNIZED: /) });
  });

  it('lets one delivery claim the reading of a document: its own retries keep it, another waits out the lease', async () => {
    const store = stores[name]!();
    const id = `${name}-claim`.padEnd(64, '0');
    await store.recordReceipt(id, 'inbox/one.pdf', '2026-04-01T10:00:00.000Z');
    const claims = await Promise.all(
      ['inbox/one.pdf', 'inbox/two.pdf', 'inbox/three.pdf'].map((owner) => store.claimReading(id, owner, '2026-04-01T10:00:01.000Z', 60_000)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    const holder = ['inbox/one.pdf', 'inbox/two.pdf', 'inbox/three.pdf'][claims.indexOf(true)]!;
    const other = holder === 'inbox/one.pdf' ? 'inbox/two.pdf' : 'inbox/one.pdf';
    expect(await store.claimReading(id, holder, '2026-04-01T10:00:30.000Z', 60_000)).toBe(true);
    expect(await store.claimReading(id, other, '2026-04-01T10:00:59.000Z', 60_000)).toBe(false);
    expect(await store.claimReading(id, other, '2026-04-01T10:02:00.000Z', 60_000)).toBe(true);
  });

  it('lists each letter from its answer row exactly as the letter is stored now: after a key added, a correction, a day received set', async () => {
    const store = stores[name]!();
    const id = `${name}-rows`.padEnd(64, '0');
    // Days no other test of the shared table uses.
    const day = '2031-06-0';
    await store.recordReceipt(id, 'rows/a.txt', `${day}1T10:00:00.000Z`);
    const read = determinationOf('CM15-0000888', [{ request: 'Lyrica 75mg #60', decision: 'UPHELD' }]);
    await saveReading(store, id, read, `${day}1T10:00:01.000Z`);
    /** The rows of every list filter, parsed, against the letters of the same list. */
    const sameAsLetters = async () => {
      for (const query of [{}, { outcome: 'OVERTURNED' as const }, { needsReview: false }, { dueBefore: '2031-07-01' }]) {
        const range = { limit: 50, from: '2031-06-01', to: '2031-06-02', ...query };
        const rows = await store.listDeterminationRows(range);
        expect(rows.data.map((row) => JSON.parse(Buffer.from(row.json).toString()))).toEqual((await store.listDeterminations(range)).data);
      }
      return (await store.listDeterminationRows({ limit: 50, from: '2031-06-01', to: '2031-06-02' })).data.map((row) =>
        JSON.parse(Buffer.from(row.json).toString()),
      );
    };
    expect(await sameAsLetters()).toMatchObject([{ id, sourceKeys: ['rows/a.txt'], outcome: 'UPHELD' }]);
    // The same bytes under another key: the row follows.
    await store.recordReceipt(id, 'rows/b.txt', `${day}2T10:00:00.000Z`);
    expect(await sameAsLetters()).toMatchObject([{ id, sourceKeys: ['rows/a.txt', 'rows/b.txt'] }]);
    // A correction that overturns the item, confirms the letter and sets the day received.
    const { determination, changes } = applyCorrection(read, CorrectionSchema.parse({ items: [{ index: 0, decision: 'OVERTURNED' }], reviewed: true }));
    const entry = { revision: 2, at: `${day}2T11:00:00.000Z`, by: 'paralegal@firm', changes, note: null };
    expect(
      await saveCorrection(store, id, {
        expectedRevision: 1,
        determination,
        entry,
        reviewed: { by: 'paralegal@firm', at: entry.at },
        receivedOn: '2031-05-28',
      }),
    ).toBe('SAVED');
    expect(await sameAsLetters()).toMatchObject([{ id, outcome: 'OVERTURNED', revision: 2, reviewedBy: 'paralegal@firm', receivedOn: '2031-05-28' }]);
  });

  it('records a file that held several letters as SPLIT, with its letters and the pages set aside, and keeps it so', async () => {
    const store = stores[name]!();
    const id = `${name}-split`.padEnd(64, '0');
    await store.recordReceipt(id, 'inbox/batch.pdf', '2031-07-01T10:00:00.000Z');
    const split = {
      letters: [
        { id: 'a'.repeat(64), from: 2, to: 4 },
        { id: 'b'.repeat(64), from: 5, to: 7 },
      ],
      setAside: [{ page: 1, role: 'COVER_SHEET', evidence: 'a fax cover sheet' }],
    };
    await store.markSplit(id, split, 'SPLIT: 2 letters', '2031-07-01T10:00:05.000Z');
    // A late failure of an earlier attempt never replaces it.
    await store.markFailed(id, 'OCR_FAILED: late retry', '2031-07-01T10:00:06.000Z');
    expect(await store.getDocument(id)).toMatchObject({ id, status: 'SPLIT', reason: 'SPLIT: 2 letters', split, sourceKeys: ['inbox/batch.pdf'] });
    const listed = await store.listDocuments({ limit: 10, status: 'SPLIT', from: '2031-07-01', to: '2031-07-01' });
    expect(listed.data.map((document) => document.id)).toEqual([id]);
  });

  it('lists newest first with filters, pages with cursors, and refuses a cursor from other filters', async () => {
    const store = stores[name]!();
    for (let i = 0; i < 5; i++) {
      const id = `${name}-list-${i}`.padEnd(64, '0');
      await store.recordReceipt(id, `list/${i}.txt`, `2026-02-0${i + 1}T09:00:00.000Z`);
      await saveReading(
        store,
        id,
        determinationOf(`CM15-00001${i}0`, [{ request: `Flexeril 7.5mg #${60 + i}`, decision: i % 2 === 0 ? 'UPHELD' : 'OVERTURNED' }]),
        `2026-02-0${i + 1}T09:00:01.000Z`,
      );
    }
    const first = await store.listDeterminations({ limit: 2, from: '2026-02-01', to: '2026-02-05' });
    expect(first.data.map((d) => d.receivedAt)).toEqual(['2026-02-05T09:00:00.000Z', '2026-02-04T09:00:00.000Z']);
    expect(first.nextCursor).not.toBeNull();
    const second = await store.listDeterminations({ limit: 2, from: '2026-02-01', to: '2026-02-05', cursor: first.nextCursor! });
    expect(second.data.map((d) => d.receivedAt)).toEqual(['2026-02-03T09:00:00.000Z', '2026-02-02T09:00:00.000Z']);
    const upheld = await store.listDeterminations({ limit: 10, from: '2026-02-01', to: '2026-02-05', outcome: 'UPHELD' });
    expect(upheld.data).toHaveLength(3);
    const items = await store.listItems({ limit: 10, category: 'PHARMACEUTICAL', decision: 'OVERTURNED', from: '2026-02-01', to: '2026-02-05' });
    expect(items.data.map((item) => item.request)).toEqual(['Flexeril 7.5mg #63', 'Flexeril 7.5mg #61']);
    await expect(store.listDeterminations({ limit: 2, from: '2026-02-02', to: '2026-02-05', cursor: first.nextCursor! })).rejects.toMatchObject({
      name: 'CursorError',
    });
    await expect(
      store.listDeterminations({ limit: 2, from: '2026-02-01', to: '2026-02-05', outcome: 'UPHELD', cursor: first.nextCursor! }),
    ).rejects.toMatchObject({ name: 'CursorError' });
  });
});

describe.each(['lmdb', 'dynamodb'])('the %s store under concurrency', (name) => {
  it('counts a letter once when five deliveries of it save at the same moment', async () => {
    const store = stores[name]!();
    const id = `${name}-race`.padEnd(64, '0');
    const determination = determinationOf('CM15-0000999', [{ request: 'Acupuncture 1 x 6', decision: 'OVERTURNED' }]);
    const before = (await store.stats('decision')).find((row) => row.key === 'OVERTURNED')?.total ?? 0;
    await Promise.all(Array.from({ length: 5 }, (_, i) => store.recordReceipt(id, `race/${i}.txt`, '2026-03-01T08:00:00.000Z')));
    await Promise.all(Array.from({ length: 5 }, () => saveReading(store, id, determination, '2026-03-01T08:00:01.000Z')));
    expect((await store.stats('decision')).find((row) => row.key === 'OVERTURNED')?.total).toBe(before + 1);
    expect((await store.getDocument(id))?.sourceKeys).toHaveLength(5);
    expect((await store.getDetermination(id))?.revision).toBeGreaterThanOrEqual(1);
  });

  it('keeps a correction saved at the same moment as a re-reading, with counters that match it', async () => {
    const store = stores[name]!();
    const count = async (key: string) => (await store.stats('decision')).find((row) => row.key === key)?.total ?? 0;
    for (let round = 0; round < 6; round += 1) {
      const id = `${name}-recheck-${round}`.padEnd(64, '0');
      const read = determinationOf('CM15-0000555', [{ request: 'Physical therapy 2 x 6', decision: 'UPHELD' }]);
      await store.recordReceipt(id, `recheck/${round}.txt`, '2026-06-01T08:00:00.000Z');
      await saveReading(store, id, read, '2026-06-01T08:00:01.000Z');
      const [upheld, overturned] = [await count('UPHELD'), await count('OVERTURNED')];
      const { determination, changes } = applyCorrection(read, CorrectionSchema.parse({ items: [{ index: 0, decision: 'OVERTURNED' }], reviewed: true }));
      const entry = { revision: 2, at: '2026-06-01T09:00:00.000Z', by: 'paralegal@firm', changes, note: null };
      // `npm run reclassify` reads the letter again while a reviewer saves: either order, never a lost correction.
      const [, saved] = await Promise.all([
        saveReading(store, id, read, '2026-06-01T09:00:00.500Z'),
        saveCorrection(store, id, { expectedRevision: 1, determination, entry, reviewed: { by: 'paralegal@firm', at: entry.at }, receivedOn: null }),
      ]);
      const stored = await store.getDetermination(id);
      if (saved === 'SAVED') expect(stored).toMatchObject({ outcome: 'OVERTURNED', reviewedBy: 'paralegal@firm' });
      else expect(stored).toMatchObject({ outcome: 'UPHELD', revision: 2 }); // the re-reading came first; the person sees revision 2
      // The counters always describe what is stored: one item, counted once.
      const moved = saved === 'SAVED' ? [-1, 1] : [0, 0];
      expect([(await count('UPHELD')) - upheld, (await count('OVERTURNED')) - overturned]).toEqual(moved);
    }
  });
});

describe('the dynamodb store, a re-reading decided before a correction and committed after it', () => {
  it('does not overwrite the correction, and applies no counter changes from its stale read', async () => {
    // A store on its own client whose reading commit waits at a gate until the reviewer has saved:
    // the interleaving that lost corrections when a reading's commit was not conditioned on the revision.
    const client = DynamoDBDocumentClient.from(localDynamoClient(stack.dynamo.endpoint), { marshallOptions: { removeUndefinedValues: true } });
    const id = 'dynamodb-gated'.padEnd(64, '0');
    let release!: () => void;
    const gate = new Promise<void>((resolveGate) => (release = resolveGate));
    let held = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        const items = (args.input as { TransactItems?: Array<{ Update?: { Key?: { pk?: string } }; Put?: { Item?: { sk?: string; by?: string } } }> })
          .TransactItems;
        // A machine reading's history entry is by the engine; a correction's by a person.
        const byPerson = (item: { Put?: { Item?: { sk?: string; by?: string } } }) =>
          String(item.Put?.Item?.sk ?? '').startsWith('HISTORY#') && !String(item.Put?.Item?.by ?? '').startsWith('imr engine');
        const isReading = items?.some((item) => item.Update?.Key?.pk === `DOC#${id}`) && !items.some(byPerson);
        if (isReading && held++ === 1) await gate; // the second reading (the re-reading) waits
        return next(args);
      },
      { step: 'initialize', name: 'gateReading' },
    );
    const racing = new DynamoDeterminationStore(stack.tableName, new CursorCodec('test-secret'), client);
    const count = async (key: string) => (await stack.store.stats('decision')).find((row) => row.key === key)?.total ?? 0;
    const read = determinationOf('CM15-0000556', [{ request: 'Gabapentin 600mg #90', decision: 'UPHELD' }]);
    await racing.recordReceipt(id, 'gated/1.txt', '2026-06-02T08:00:00.000Z');
    await saveReading(racing, id, read, '2026-06-02T08:00:01.000Z');
    const [upheld, overturned] = [await count('UPHELD'), await count('OVERTURNED')];
    const rereading = saveReading(racing, id, read, '2026-06-02T09:00:00.500Z');
    await waitFor(async () => (held === 2 ? true : undefined), 10_000);
    const { determination, changes } = applyCorrection(read, CorrectionSchema.parse({ items: [{ index: 0, decision: 'OVERTURNED' }], reviewed: true }));
    const entry = { revision: 2, at: '2026-06-02T09:00:00.000Z', by: 'paralegal@firm', changes, note: null };
    expect(
      await saveCorrection(stack.store, id, { expectedRevision: 1, determination, entry, reviewed: { by: 'paralegal@firm', at: entry.at }, receivedOn: null }),
    ).toBe('SAVED');
    release();
    await rereading;
    expect(await stack.store.getDetermination(id)).toMatchObject({ revision: 2, outcome: 'OVERTURNED', reviewedBy: 'paralegal@firm' });
    expect([(await count('UPHELD')) - upheld, (await count('OVERTURNED')) - overturned]).toEqual([-1, 1]);
    client.destroy();
  });
});

describe('the lmdb store, opened on rows kept by an earlier version', () => {
  it('answers a letter whose row was kept as text from the letter itself, and keeps the row as bytes the next time the letter is written', async () => {
    const path = join(folder, `store-text-rows-${Date.now()}`);
    const id = 'c'.repeat(64);
    const first = LmdbDeterminationStore.open(path, new CursorCodec('test-secret'));
    await first.recordReceipt(id, 'rows/old.txt', '2031-07-01T10:00:00.000Z');
    await saveReading(first, id, determinationOf('CM15-0000889', [{ request: 'Gabapentin 600mg #90', decision: 'OVERTURNED' }]), '2031-07-01T10:00:01.000Z');
    await first.close();
    // The row as versions before 1 December 2026 kept it: its JSON as text (here stale on purpose).
    const raw = open({ path, compression: false });
    const kept = raw.get(['row', id]) as { json: Uint8Array };
    expect(kept.json).toBeInstanceOf(Uint8Array);
    await raw.put(['row', id], { ...kept, json: Buffer.from(kept.json).toString('utf8').replace('OVERTURNED', 'UPHELD') });
    await raw.close();
    const store = LmdbDeterminationStore.open(path, new CursorCodec('test-secret'));
    const range = { limit: 50, from: '2031-07-01', to: '2031-07-02' };
    const listed = async () => (await store.listDeterminationRows(range)).data.map((row) => JSON.parse(Buffer.from(row.json).toString('utf8')));
    expect(await listed()).toEqual((await store.listDeterminations(range)).data);
    expect(await listed()).toMatchObject([{ id, items: [{ decision: 'OVERTURNED' }] }]);
    expect((await store.rowsOf([id])).map((row) => JSON.parse(Buffer.from(row.json).toString('utf8')))).toMatchObject([{ id, outcome: 'OVERTURNED' }]);
    await store.recordReceipt(id, 'rows/again.txt', '2031-07-02T10:00:00.000Z');
    await store.close();
    const reopened = open({ path, compression: false });
    expect((reopened.get(['row', id]) as { json: unknown }).json).toBeInstanceOf(Uint8Array);
    await reopened.close();
  });
});
