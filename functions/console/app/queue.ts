/**
 * The queue: letters needing review first, then the newest; filters as in the API, search by
 * case number (the API's) and by file name (over the letters loaded, loading more as needed).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from './html.ts';
import { getJson, ApiProblemError } from './api.ts';
import { go, useKeys } from './router.ts';
import { daysLeft, fileName, label, percent, todayInCalifornia, when } from './words.ts';
import type { Page, StoredDetermination } from './types.ts';
import { Upload } from './upload.ts';
import { BeingRead } from './reading.ts';
import { useOnChange } from './live.ts';

/** The filters of the queue, as the API names them. */
interface Filters {
  readonly caseNumber: string;
  readonly file: string;
  readonly outcome: string;
  readonly review: 'all' | 'needs' | 'done';
  readonly from: string;
  readonly to: string;
  readonly dueBefore: string;
  /** Of the letters loaded: those with an open deadline within 7 days, or a passed one not yet confirmed. */
  readonly due: '' | 'week' | 'overdue';
  /** The order: the queue's own (needing review first, then the newest), or the next open deadline first. */
  readonly sort: 'queue' | 'due';
}

const EMPTY: Filters = { caseNumber: '', file: '', outcome: '', review: 'all', from: '', to: '', dueBefore: '', due: '', sort: 'queue' };
/** How many letters a file-name search reads before it says it stopped. */
const SEARCH_LIMIT = 2000;

/** The letters needing review in the queue's order, so the letter view can go on to the next one. */
export const queueOrder: { review: string[] } = { review: [] };

function query(filters: Filters, needsReview: boolean, cursor: string | null): string {
  const params = new URLSearchParams({ limit: '100', needsReview: String(needsReview) });
  if (/^CM\d{2}-\d{5,8}$/i.test(filters.caseNumber.trim())) params.set('caseNumber', filters.caseNumber.trim().toUpperCase());
  if (filters.outcome) params.set('outcome', filters.outcome);
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  if (filters.dueBefore) params.set('dueBefore', filters.dueBefore);
  if (cursor) params.set('cursor', cursor);
  return `/determinations?${params}`;
}

/** One list of the queue (needing review, or not), page by page: all of it (up to SEARCH_LIMIT), or at least `atLeast` letters. */
async function loadSection(
  filters: Filters,
  needsReview: boolean,
  cursor: string | null,
  all: boolean,
  atLeast = 0,
): Promise<{ rows: StoredDetermination[]; next: string | null }> {
  const rows: StoredDetermination[] = [];
  let next = cursor;
  do {
    const page = await getJson<Page<StoredDetermination>>(query(filters, needsReview, next));
    rows.push(...page.data);
    next = page.nextCursor;
  } while (next && rows.length < (all ? SEARCH_LIMIT : atLeast));
  return { rows, next };
}

function minConfidence(letter: StoredDetermination): number | null {
  return letter.status === 'CLASSIFIED' ? Math.min(...letter.items.map((item) => item.confidence)) : null;
}

/** A letter's next open deadline (yyyy-mm-dd), or null: open is what the API did not answer as overdue. */
function nextOpen(letter: StoredDetermination): string | null {
  return (
    letter.deadlines
      .filter((deadline) => !deadline.overdue)
      .map((deadline) => deadline.due)
      .sort()[0] ?? null
  );
}

/** Whether a letter has a deadline already passed that still matters: the letter is not confirmed. */
function overdue(letter: StoredDetermination): boolean {
  return !letter.reviewedBy && letter.deadlines.some((deadline) => deadline.overdue);
}

/**
 * The next open deadline of a letter, with its days left; a deadline already passed shows as
 * overdue only while the letter is not confirmed (a confirmed letter's past days are done with).
 */
function nextDue(letter: StoredDetermination) {
  const open = nextOpen(letter);
  if (open) {
    const left = daysLeft(open);
    return html`${open} <span class=${`due ${left.soon ? 'soon' : ''}`}>${left.words}</span>`;
  }
  if (overdue(letter)) return html`<span class="due overdue">Overdue since ${letter.deadlines.map((deadline) => deadline.due).sort()[0]}</span>`;
  return '—';
}

/**
 * One letter's row. The rows are a grid with a roving tab stop: only the selected row is in the
 * tab order, the arrow keys (and Home, End) move the selection and the focus with it, Enter opens.
 */
function Row({ letter, selected, onKey }: { letter: StoredDetermination; selected: boolean; onKey: (event: KeyboardEvent) => void }) {
  const classified = letter.status === 'CLASSIFIED' ? letter : null;
  const overturned = classified?.items.filter((item) => item.decision === 'OVERTURNED').length ?? 0;
  const confidence = minConfidence(letter);
  const flagged = classified ? new Set([...classified.flags, ...classified.items.flatMap((item) => item.flags)]).size : 0;
  const doubtfulReceipt = letter.deadlines.some((deadline) => deadline.caution);
  return html`<tr
    class=${selected ? 'selected' : ''}
    aria-selected=${selected}
    tabindex=${selected ? 0 : -1}
    data-letter=${letter.id}
    onKeyDown=${onKey}
    onClick=${() => go({ view: 'letter', id: letter.id, history: false })}
  >
    <td data-label="File"><a href=${`#/letters/${letter.id}`} class="file">${fileName(letter.sourceKeys)}</a></td>
    <td data-label="Case">${classified?.caseNumber ?? '—'}</td>
    <td data-label="Decided">${classified?.dates.decision ?? '—'}</td>
    <td data-label="Received">${when(letter.receivedAt)}</td>
    <td data-label="Outcome">${classified ? label(classified.outcome) : label(letter.status)}</td>
    <td class="num" data-label="Items">${classified ? `${classified.items.length} (${overturned} overturned)` : '—'}</td>
    <td class="num" data-label="Least sure">${confidence === null ? '—' : percent(confidence)}</td>
    <td data-label="Next due">${nextDue(letter)}</td>
    <td data-label="Review">${letter.sameLetterAs ? html`<span class="badge">Copy of a letter above</span>` : letter.status === 'UNRECOGNIZED' ? html`<span class="badge warn">Not a Final Determination</span>` : letter.needsReview ? html`<span class="badge warn">Needs review${flagged ? ` · ${flagged} flag${flagged > 1 ? 's' : ''}` : ''}${doubtfulReceipt ? ' · check day received' : ''}</span>` : letter.reviewedBy ? html`<span class="badge ok">Confirmed by ${letter.reviewedBy}</span>` : html`<span class="badge">Read</span>`}</td>
  </tr>`;
}

/** The queue view. */
export function Queue() {
  const [filters, setFilters] = useState<Filters>(() => ({ ...EMPTY, ...(JSON.parse(sessionStorage.getItem('imr.filters') ?? '{}') as Partial<Filters>) }));
  const [needs, setNeeds] = useState<{ rows: StoredDetermination[]; next: string | null } | null>(null);
  const [rest, setRest] = useState<{ rows: StoredDetermination[]; next: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState(0);
  /** The letter selected, by id: a letter arriving above it moves it down the list, not the selection onto another letter. */
  const selectedId = useRef<string | null>(null);
  // Bumped when a letter brought in through the console is read: the letters are loaded again.
  const [reloads, setReloads] = useState(0);
  const search = useRef<HTMLInputElement>(null);

  // The letters are loaded again when a filter the API applies changes, and once when a file-name
  // search starts (all of them, up to SEARCH_LIMIT): typing the name then filters what was loaded.
  // A file-name search, a deadline filter and the deadline order work on the letters loaded: all of them are loaded first.
  const searching = filters.file.trim().length > 0 || filters.due !== '' || filters.sort === 'due';
  const { file: _file, due: _due, sort: _sort, ...apiFilters } = filters;
  const loadKey = JSON.stringify({ ...apiFilters, searching, reloads });
  useEffect(() => sessionStorage.setItem('imr.filters', JSON.stringify(filters)), [filters]);
  useEffect(() => {
    setError(null);
    const all = searching;
    let live = true;
    (async () => {
      const first = filters.review === 'done' ? { rows: [], next: null } : await loadSection(filters, true, null, all);
      if (!live) return;
      setNeeds(first);
      const second = filters.review === 'needs' ? { rows: [], next: null } : await loadSection(filters, false, null, all);
      if (live) setRest(second);
    })().catch((problem: unknown) => live && setError(problem instanceof ApiProblemError ? problem.message : 'the service could not be reached'));
    return () => {
      live = false;
    };
    // loadKey holds every filter the load uses; the file name itself is applied below.
  }, [loadKey]);

  // The store changed (a letter read, corrected, deleted; here or elsewhere): the letters are loaded
  // again in place, as many as were loaded, with no "Loading…" between: nothing flickers, the scroll stays.
  const current = useRef({ needs, rest, loadKey });
  current.current = { needs, rest, loadKey };
  useOnChange(async () => {
    const { needs: shownNeeds, rest: shownRest, loadKey: shownKey } = current.current;
    if (!shownNeeds) return;
    const first = filters.review === 'done' ? { rows: [], next: null } : await loadSection(filters, true, null, searching, shownNeeds.rows.length);
    const second = filters.review === 'needs' ? { rows: [], next: null } : await loadSection(filters, false, null, searching, shownRest?.rows.length ?? 0);
    // The filters changed meanwhile: their own load answers, not this one.
    if (current.current.loadKey !== shownKey) return;
    setNeeds(first);
    setRest(second);
  });

  const rows = useMemo(() => {
    const term = filters.file.trim().toLowerCase();
    const today = todayInCalifornia();
    const inAWeek = new Date(Date.parse(`${today}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
    let list = [...(needs?.rows ?? []), ...(rest?.rows ?? [])];
    if (term) list = list.filter((letter) => letter.sourceKeys.some((key) => key.toLowerCase().includes(term)));
    if (filters.due === 'week') list = list.filter((letter) => (nextOpen(letter) ?? '9999') <= inAWeek);
    if (filters.due === 'overdue') list = list.filter(overdue);
    // Next open deadline first; letters with none open after, in the queue's order (the sort is stable).
    if (filters.sort === 'due') list = [...list].sort((a, b) => (nextOpen(a) ?? '9999').localeCompare(nextOpen(b) ?? '9999'));
    return list;
  }, [needs, rest, filters.file, filters.due, filters.sort]);
  // The order the letter view goes on in, kept when the rows change (never written during a render).
  useEffect(() => {
    queueOrder.review = rows.filter((row) => row.needsReview).map((row) => row.id);
    // The selected letter stays selected where it moved to; gone (or none yet), the selection is the letter now in its place.
    const at = selectedId.current ? rows.findIndex((row) => row.id === selectedId.current) : -1;
    if (at >= 0) {
      if (at !== selected) setSelected(at);
    } else selectedId.current = rows[selected]?.id ?? null;
  }, [rows]);
  useEffect(() => {
    selectedId.current = rows[selected]?.id ?? null;
  }, [selected]);

  const more = async (which: 'needs' | 'rest') => {
    const section = which === 'needs' ? needs : rest;
    if (!section?.next) return;
    const page = await loadSection(filters, which === 'needs', section.next, false);
    (which === 'needs' ? setNeeds : setRest)({ rows: [...section.rows, ...page.rows], next: page.next });
  };

  const grid = useRef<HTMLTableSectionElement>(null);
  /** Selects row `index` (bounded) and, when the focus is in the grid, moves it there too. */
  const moveTo = (index: number) => {
    const bounded = Math.max(0, Math.min(index, rows.length - 1));
    setSelected(bounded);
    const body = grid.current;
    if (body && body.contains(document.activeElement)) (body.rows[bounded] as HTMLElement | undefined)?.focus();
  };
  const onRowKey = (event: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowDown: selected + 1, ArrowUp: selected - 1, Home: 0, End: rows.length - 1 };
    // Handled here, not again by the page's own keys.
    if (event.key in moves) {
      event.preventDefault();
      event.stopPropagation();
      moveTo(moves[event.key]!);
    } else if (event.key === 'Enter' && rows[selected]) {
      event.preventDefault();
      event.stopPropagation();
      go({ view: 'letter', id: rows[selected].id, history: false });
    }
  };
  useKeys({
    j: () => moveTo(selected + 1),
    k: () => moveTo(selected - 1),
    Enter: () => rows[selected] && go({ view: 'letter', id: rows[selected].id, history: false }),
    '/': () => search.current?.focus(),
  });

  const set = (patch: Partial<Filters>) => {
    setSelected(0);
    selectedId.current = null;
    setFilters({ ...filters, ...patch });
  };
  const caseInvalid = filters.caseNumber.trim() !== '' && !/^CM\d{2}-\d{5,8}$/i.test(filters.caseNumber.trim());
  const waiting = needs?.rows.length ?? 0;
  return html`<section aria-labelledby="queue-title">
    <h1 id="queue-title">Letters <span class="count">${needs ? `${waiting}${needs.next ? '+' : ''} need review` : ''}</span></h1>
    <${Upload} onRead=${() => setReloads((count) => count + 1)} />
    <${BeingRead} />
    <form class="filters" role="search" onSubmit=${(event: Event) => event.preventDefault()}>
      <label>File name <input ref=${search} type="search" value=${filters.file} placeholder="fax 0612" onInput=${(event: Event) => set({ file: (event.target as HTMLInputElement).value })} /></label>
      <label>Case number <input type="search" value=${filters.caseNumber} placeholder="CM14-0209876" aria-invalid=${caseInvalid} aria-describedby="case-help" onChange=${(event: Event) => set({ caseNumber: (event.target as HTMLInputElement).value })} /></label>
      <label>Outcome <select value=${filters.outcome} onChange=${(event: Event) => set({ outcome: (event.target as HTMLSelectElement).value })}>
        <option value="">Any</option><option value="UPHELD">Upheld</option><option value="OVERTURNED">Overturned</option><option value="PARTIALLY_OVERTURNED">Partially overturned</option>
      </select></label>
      <label>Review <select name="review" value=${filters.review} onChange=${(event: Event) => set({ review: (event.target as HTMLSelectElement).value as Filters['review'] })}>
        <option value="all">All letters</option><option value="needs">Needs review</option><option value="done">Not flagged or confirmed</option>
      </select></label>
      <label>Received from <input type="date" value=${filters.from} onChange=${(event: Event) => set({ from: (event.target as HTMLInputElement).value })} /></label>
      <label>to <input type="date" value=${filters.to} onChange=${(event: Event) => set({ to: (event.target as HTMLInputElement).value })} /></label>
      <label>Due by <input type="date" value=${filters.dueBefore} onChange=${(event: Event) => set({ dueBefore: (event.target as HTMLInputElement).value })} /></label>
      <label>Deadlines <select name="due" value=${filters.due} onChange=${(event: Event) => set({ due: (event.target as HTMLSelectElement).value as Filters['due'] })}>
        <option value="">Any</option><option value="week">Due this week</option><option value="overdue">Overdue, not confirmed</option>
      </select></label>
      <label>Order <select name="sort" value=${filters.sort} onChange=${(event: Event) => set({ sort: (event.target as HTMLSelectElement).value as Filters['sort'] })}>
        <option value="queue">Needing review first</option><option value="due">Next deadline first</option>
      </select></label>
      <button type="button" class="secondary" onClick=${() => set(EMPTY)}>Clear</button>
    </form>
    <p id="case-help" class=${caseInvalid ? 'error' : 'hint'}>${caseInvalid ? 'A case number looks like CM14-0209876; this one is not searched.' : 'Keys: j / k or the arrows move, Enter opens, / searches by file name.'}</p>
    ${error && html`<p class="error" role="alert">Could not load the letters: ${error}</p>`}
    ${!needs && !error && html`<p aria-live="polite">Loading…</p>`}
    ${needs && rows.length === 0 && !error && html`<p class="empty">No letters match. New letters appear here as soon as they are read.</p>`}
    ${
      rows.length > 0 &&
      html`<table class="queue" role="grid" aria-label="Letters">
      <caption class="visually-hidden">Letters, those needing review first, then the newest</caption>
      <thead><tr><th scope="col">File</th><th scope="col">Case</th><th scope="col">Decided</th><th scope="col">Received</th><th scope="col">Outcome</th><th scope="col">Items</th><th scope="col">Least sure</th><th scope="col">Next due</th><th scope="col">Review</th></tr></thead>
      <tbody ref=${grid}>${rows.map((letter, index) => html`<${Row} key=${letter.id} letter=${letter} selected=${index === selected} onKey=${onRowKey} />`)}</tbody>
    </table>`
    }
    <div class="more">
      ${needs?.next && html`<button type="button" class="secondary" onClick=${() => void more('needs')}>More letters needing review</button>`}
      ${rest?.next && html`<button type="button" class="secondary" onClick=${() => void more('rest')}>More letters</button>`}
    </div>
  </section>`;
}
