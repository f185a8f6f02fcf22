/**
 * The letter view's state as one value and the only ways it changes: a reducer (pure, tested
 * without a browser), the PATCH body a person's edits make, and what survives a reload. The
 * view dispatches; it keeps no state of its own beyond what the reducer holds.
 */
import type { ClassifiedDetermination, DisputedItem, StoredDetermination } from './types.ts';

/** A classified letter as the view edits it. */
export type Classified = ClassifiedDetermination & StoredDetermination;

/** One item's edits: only the fields a person changed from what was read. */
export type ItemDraft = Partial<Pick<DisputedItem, 'decision' | 'category' | 'subcategory' | 'request'>>;

/** The letter's own fields a person may change. */
export interface HeaderDraft {
  readonly caseNumber?: string;
  readonly decision?: string;
  readonly receivedOn?: string;
}

/** A person's unsaved edits to one letter. */
export interface Edits {
  readonly drafts: Readonly<Record<number, ItemDraft>>;
  readonly header: HeaderDraft;
  readonly note: string;
}

/** Unsaved edits as kept in the session, with the revision they were made on. */
export interface KeptDraft extends Edits {
  readonly revision: number;
}

/** What the view says after an action. */
export interface Message {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

/** Everything the letter view shows. */
export interface LetterState {
  readonly letter: StoredDetermination | null;
  readonly pages: string[] | null;
  readonly error: string | null;
  readonly edits: Edits;
  readonly selected: number;
  readonly page: number;
  readonly mode: 'image' | 'text';
  readonly noImages: boolean;
  readonly message: Message | null;
  readonly busy: boolean;
  /** Bumped after a save, so the history is read again. */
  readonly historyKey: number;
  /** How far the page image is zoomed: 1 fits its width to the pane. */
  readonly zoom: number;
}

const NO_EDITS: Edits = { drafts: {}, header: {}, note: '' };

/** The state of a letter just opened: nothing loaded, nothing edited. */
export const OPENED: LetterState = {
  letter: null,
  pages: null,
  error: null,
  edits: NO_EDITS,
  selected: 0,
  page: 1,
  mode: 'image',
  noImages: false,
  message: null,
  busy: false,
  historyKey: 0,
  zoom: 1,
};

/** The zoom steps of a page image: 1 fits its width to the pane. */
export const ZOOMS = [1, 1.25, 1.5, 2, 2.5, 3, 4] as const;

/** The next zoom step in or out from `zoom`. */
export function zoomStep(zoom: number, direction: 1 | -1): number {
  if (direction > 0) return ZOOMS.find((step) => step > zoom + 1e-9) ?? ZOOMS[ZOOMS.length - 1]!;
  return [...ZOOMS].reverse().find((step) => step < zoom - 1e-9) ?? ZOOMS[0];
}

/** Every way the letter view's state changes. */
export type LetterAction =
  /** Another letter is opened: nothing of the last one's edits may carry over. */
  | { readonly type: 'opened' }
  /** The letter arrived; `kept` are edits from the session, restored only if made on this revision. */
  | { readonly type: 'loaded'; readonly letter: StoredDetermination; readonly kept: KeptDraft | null }
  | { readonly type: 'loadFailed'; readonly error: string }
  | { readonly type: 'text'; readonly pages: string[] | null }
  /** An item chosen; `page` is where its passage is, when known. */
  | { readonly type: 'select'; readonly index: number; readonly page?: number }
  /** A field of item `index` changed; `read` is the item as the machine read it. */
  | { readonly type: 'edit'; readonly index: number; readonly patch: ItemDraft; readonly read: ItemDraft }
  | { readonly type: 'header'; readonly patch: HeaderDraft }
  | { readonly type: 'note'; readonly note: string }
  | { readonly type: 'page'; readonly page: number }
  | { readonly type: 'mode'; readonly mode: 'image' | 'text' }
  | { readonly type: 'noImages' }
  /** The page image zoomed (1: fit to width); held to 1..4. */
  | { readonly type: 'zoom'; readonly zoom: number }
  | { readonly type: 'saving' }
  | { readonly type: 'saved'; readonly letter: StoredDetermination; readonly message: Message }
  | { readonly type: 'saveFailed'; readonly message: Message }
  | { readonly type: 'message'; readonly message: Message };

/** The letter view's reducer. */
export function letterReducer(state: LetterState, action: LetterAction): LetterState {
  switch (action.type) {
    case 'opened':
      return OPENED;
    case 'loaded': {
      // Unsaved changes survive a reload or a new sign-in, as long as nobody saved the letter since.
      const kept = action.kept && action.kept.revision === action.letter.revision ? action.kept : null;
      return {
        ...state,
        letter: action.letter,
        error: null,
        edits: kept ? { drafts: kept.drafts, header: kept.header, note: kept.note } : NO_EDITS,
        ...(kept ? { message: { kind: 'ok', text: 'Your unsaved changes to this letter were kept: save or confirm them.' } } : {}),
      };
    }
    case 'loadFailed':
      return { ...state, error: action.error };
    case 'text':
      return { ...state, pages: action.pages };
    case 'select':
      return { ...state, selected: action.index, page: action.page ?? state.page };
    case 'edit': {
      const draft: ItemDraft = { ...state.edits.drafts[action.index], ...action.patch };
      // A value set back to what was read is no change at all.
      for (const key of Object.keys(draft) as Array<keyof ItemDraft>) if (draft[key] === action.read[key]) delete draft[key];
      return { ...state, edits: { ...state.edits, drafts: { ...state.edits.drafts, [action.index]: draft } } };
    }
    case 'header':
      return { ...state, edits: { ...state.edits, header: { ...state.edits.header, ...action.patch } } };
    case 'note':
      return { ...state, edits: { ...state.edits, note: action.note } };
    case 'page':
      return { ...state, page: action.page };
    case 'mode':
      return { ...state, mode: action.mode };
    case 'noImages':
      return { ...state, noImages: true };
    case 'zoom':
      return { ...state, zoom: Math.min(ZOOMS[ZOOMS.length - 1]!, Math.max(ZOOMS[0], action.zoom)) };
    case 'saving':
      return { ...state, busy: true };
    case 'saved':
      return { ...state, busy: false, letter: action.letter, edits: NO_EDITS, message: action.message, historyKey: state.historyKey + 1 };
    case 'saveFailed':
      return { ...state, busy: false, message: action.message };
    case 'message':
      return { ...state, message: action.message };
  }
}

/** Whether any field of the letter or its items was changed (a note alone is not a change). */
export function hasChanges(edits: Edits): boolean {
  return Object.values(edits.drafts).some((draft) => Object.keys(draft).length > 0) || Object.keys(edits.header).length > 0;
}

/** Whether anything would be lost by leaving: a change or a note. */
export function hasUnsaved(edits: Edits): boolean {
  return hasChanges(edits) || edits.note.trim() !== '';
}

/**
 * The body of `PATCH /determinations/{id}` (spec section 5) for these edits: only what differs
 * from the letter as stored; null when there is nothing to send.
 */
export function correctionBody(letter: Classified, edits: Edits, options: { confirm: boolean; unlink?: boolean }): Record<string, unknown> | null {
  const items = Object.entries(edits.drafts)
    .filter(([, draft]) => Object.keys(draft).length > 0)
    .map(([index, draft]) => ({ index: Number(index), ...draft }));
  const { header } = edits;
  const body: Record<string, unknown> = {};
  if (items.length) body.items = items;
  if (header.caseNumber !== undefined && header.caseNumber !== letter.caseNumber) body.caseNumber = header.caseNumber.trim().toUpperCase() || null;
  if (header.decision !== undefined && header.decision !== letter.dates.decision) body.dates = { decision: header.decision || null };
  if (header.receivedOn && header.receivedOn !== letter.receivedOn) body.receivedOn = header.receivedOn;
  if (edits.note.trim()) body.note = edits.note.trim();
  if (options.confirm) body.reviewed = true;
  if (options.unlink) body.sameLetterAs = null;
  return Object.keys(body).length ? body : null;
}
