import { describe, expect, it } from 'vitest';
import { classifyLetter, type ClassifiedDetermination } from '../../../functions/domain/index.ts';
import {
  correctionBody,
  hasChanges,
  hasUnsaved,
  letterReducer,
  OPENED,
  ZOOMS,
  zoomStep,
  type Classified,
  type LetterState,
} from '../../../functions/console/app/letter-state.ts';
import { letterText, storedDetermination } from '../../fixtures/factories.ts';

const read = classifyLetter(
  letterText({
    preamble: ['Case Number: CM15-0101010', ''],
    items: [
      { request: 'Norco 10/325mg #120', decision: 'Upheld' },
      { request: 'Physical therapy 2x6 for the lumbar spine', decision: 'Overturned' },
    ],
  }),
) as ClassifiedDetermination;
const letter = storedDetermination(read, { id: 'a'.repeat(64) }) as Classified;
const loaded = (state: LetterState = OPENED) => letterReducer(state, { type: 'loaded', letter, kept: null });
const item = (index: number) => letter.items[index]!;

describe('the letter view state', () => {
  it('zooms the page image by steps, from fit to width to four times it, and fits it again on another letter', () => {
    expect([zoomStep(1, 1), zoomStep(1.25, 1), zoomStep(4, 1), zoomStep(1.25, -1), zoomStep(1, -1), zoomStep(1.1, -1), zoomStep(1.1, 1)]).toEqual([
      1.25, 1.5, 4, 1, 1, 1, 1.25,
    ]);
    const zoomed = letterReducer(OPENED, { type: 'zoom', zoom: 2 });
    expect(zoomed.zoom).toBe(2);
    expect(letterReducer(zoomed, { type: 'zoom', zoom: 9 }).zoom).toBe(ZOOMS[ZOOMS.length - 1]);
    expect(letterReducer(zoomed, { type: 'zoom', zoom: 0.2 }).zoom).toBe(1);
    // Kept from page to page of a letter; another letter opens fit to width.
    expect(letterReducer(zoomed, { type: 'page', page: 2 }).zoom).toBe(2);
    expect(letterReducer(zoomed, { type: 'opened' }).zoom).toBe(1);
  });

  it('keeps an edit only while it differs from what was read', () => {
    let state = letterReducer(loaded(), { type: 'edit', index: 0, patch: { decision: 'OVERTURNED' }, read: item(0) });
    expect(state.edits.drafts[0]).toEqual({ decision: 'OVERTURNED' });
    expect(hasChanges(state.edits)).toBe(true);
    state = letterReducer(state, { type: 'edit', index: 0, patch: { decision: 'UPHELD' }, read: item(0) });
    expect(state.edits.drafts[0]).toEqual({});
    expect(hasChanges(state.edits)).toBe(false);
  });

  it('restores edits kept in the session only on the revision they were made on, and says so', () => {
    const kept = { revision: letter.revision, drafts: { 1: { decision: 'UPHELD' as const } }, header: {}, note: 'per the fax' };
    const restored = letterReducer(OPENED, { type: 'loaded', letter, kept });
    expect(restored.edits).toEqual({ drafts: kept.drafts, header: {}, note: 'per the fax' });
    expect(restored.message?.text).toMatch(/unsaved changes to this letter were kept/);
    const moved = letterReducer(OPENED, { type: 'loaded', letter, kept: { ...kept, revision: letter.revision + 1 } });
    expect(moved.edits.drafts).toEqual({});
    expect(moved.message).toBeNull();
  });

  it('carries nothing over to the next letter opened, and clears the edits once saved', () => {
    const edited = letterReducer(letterReducer(loaded(), { type: 'note', note: 'checked' }), { type: 'select', index: 1, page: 3 });
    expect(hasUnsaved(edited.edits)).toBe(true);
    expect(letterReducer(edited, { type: 'opened' })).toEqual(OPENED);
    const saved = letterReducer(letterReducer(edited, { type: 'saving' }), {
      type: 'saved',
      letter: { ...letter, revision: 2 },
      message: { kind: 'ok', text: 'Saved as revision 2.' },
    });
    expect(saved).toMatchObject({ busy: false, edits: { drafts: {}, header: {}, note: '' }, historyKey: edited.historyKey + 1, selected: 1, page: 3 });
  });

  it('makes the PATCH body of only what changed: items by index, the case number in capitals, a note, a confirmation', () => {
    const edits = {
      drafts: { 0: {}, 1: { decision: 'UPHELD' as const } },
      header: { caseNumber: ' cm15-0202020 ', decision: read.dates.decision ?? '' },
      note: '  per the fax  ',
    };
    expect(correctionBody(letter, edits, { confirm: true })).toEqual({
      items: [{ index: 1, decision: 'UPHELD' }],
      caseNumber: 'CM15-0202020',
      ...(read.dates.decision ? {} : { dates: { decision: null } }),
      note: 'per the fax',
      reviewed: true,
    });
    expect(correctionBody(letter, { drafts: {}, header: {}, note: '' }, { confirm: false })).toBeNull();
    expect(correctionBody(letter, { drafts: {}, header: {}, note: '' }, { confirm: false, unlink: true })).toEqual({ sameLetterAs: null });
  });
});
