/**
 * The queue: letters needing review first, then the newest; filters as in the API, search by
 * case number (the API's) and full-text search (`GET /search`: the letters' text, requests, case
 * numbers and file names), best match first. Where the API has no search (a deployment without
 * it), the box finds file names among the letters loaded, as it did before there was one.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from './html.ts';
import { getJson, ApiProblemError } from './api.ts';
import { go, useKeys } from './router.ts';
import { daysLeft, fileName, label, percent, todayInCalifornia, when } from './words.ts';
import { foldForSearch, indexedWords } from '../../domain/search.ts';
import type { Page, StoredDetermination } from './types.ts';
import { Upload } from './upload.ts';
import { groupForms } from './forms.ts';
import { BeingRead } from './reading.ts';
import { useOnChange } from './live.ts';

/** The filters of the queue, as the API names them. */
interface Filters {
  readonly caseNumber: string;
  /** The search box: words to find in the letters (`GET /search`). */
  readonly search: string;
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

const EMPTY: Filters = { caseNumber: '', search: '', outcome: '', review: 'all', from: '', to: '', dueBefore: '', due: '', sort: 'queue' };
/** How many letters a file-name search reads before it says it stopped (where the API has no search). */
const SEARCH_LIMIT = 2000;
/** How long typing pauses before the search is asked (a search per word typed, not per key). */
const SEARCH_PAUSE_MS = 250;
/**
 * How soon a search answered while letters were still being indexed is asked again; twice as long
 * each time the count has not moved, up to a minute: a letter whose text cannot be indexed stays
 * counted, and a page left open on it would otherwise ask every 3 s for as long as it is open.
 */
const INDEXING_LOOK_AGAIN_MS = 3_000;
const INDEXING_LOOK_AGAIN_MOST_MS = 60_000;
/** The most letters a search's `indexing` counts: 100 means 100 or more. */
const INDEXING_COUNTED_UP_TO = 100;
/** Answers in a row with the same count after which the letters are no longer said to be just read. */
const INDEXING_STALLED = 3;
/** Letters a page of search results holds. */
const SEARCH_PAGE = 50;

/** The results of a search: its words, the letters best first, where the next page starts, and why nothing was searched. */
interface Found {
  readonly query: string;
  readonly rows: StoredDetermination[];
  readonly next: string | null;
  /** The API's reason in words when the words cannot be searched (too long, too common). */
  readonly refused: string | null;
  /** Letters read but not yet searchable when it was asked (up to 100: 100 or more). */
  readonly indexing: number;
  /** How many answers in a row before this one gave the same words the same count (0: it moved, or this is the first). */
  readonly stalled: number;
}

/** The letters needing review in the queue's order, so the letter view can go on to the next one. */
export const queueOrder: { review: string[] } = { review: [] };

/** What the search says of the letters it may be missing: just read, or (the count not moving) not searchable for a while. */
function indexingLine({ indexing, stalled }: Found): string {
  const letters = indexing >= INDEXING_COUNTED_UP_TO ? `${INDEXING_COUNTED_UP_TO} or more letters` : indexing === 1 ? '1 letter' : `${indexing} letters`;
  const are = indexing === 1 ? 'is' : 'are';
  if (stalled < INDEXING_STALLED) return `${letters} just read ${are} not searchable yet and may be missing here; the search is asked again as they are.`;
  return `${letters} ${are} still not searchable and may be missing here (the count has not moved for a while); the search is asked again less often.`;
}

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

/** One page of search results. */
async function searchPage(query: string, cursor: string | null): Promise<Page<StoredDetermination> & { indexing?: number }> {
  const params = new URLSearchParams({ q: query, limit: String(SEARCH_PAGE) });
  if (cursor) params.set('cursor', cursor);
  return getJson<Page<StoredDetermination> & { indexing?: number }>(`/search?${params}`);
}

/**
 * Where a search found a letter, for its row: the disputed requests holding a searched word (or
 * a word it begins), or the letter's text. Folded as the index folds words.
 */
function foundIn(letter: StoredDetermination, query: string): string | null {
  if (letter.status !== 'CLASSIFIED') return null;
  const words = indexedWords(query);
  if (words.length === 0) return null;
  const holds = (text: string) => {
    const its = indexedWords(text);
    return words.some((word) => its.some((one) => one === word || (word.length >= 3 && one.startsWith(word))));
  };
  const requests = letter.items.filter((item) => holds(item.request)).map((item) => item.request);
  if (requests.length > 0) return `Request: ${requests.join('; ')}`;
  if (letter.caseNumber && holds(letter.caseNumber)) return `Case ${letter.caseNumber}`;
  if (letter.sourceKeys.some((key) => holds(fileName([key])))) return 'In the file name';
  return "In the letter's text";
}

/** The queue's filters the API applies to lists, applied in the browser to search results (which come best first, unfiltered). */
function passes(letter: StoredDetermination, filters: Filters): boolean {
  const classified = letter.status === 'CLASSIFIED' ? letter : null;
  const caseNumber = filters.caseNumber.trim().toUpperCase();
  if (/^CM\d{2}-\d{5,8}$/.test(caseNumber) && classified?.caseNumber !== caseNumber) return false;
  if (filters.outcome && classified?.outcome !== filters.outcome) return false;
  if (filters.review === 'needs' && !letter.needsReview) return false;
  if (filters.review === 'done' && letter.needsReview) return false;
  if (filters.from && letter.receivedAt < filters.from) return false;
  if (filters.to && letter.receivedAt > `${filters.to}T23:59:59.999Z`) return false;
  if (filters.dueBefore && !letter.deadlines.some((deadline) => deadline.due <= filters.dueBefore)) return false;
  return true;
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
function Row({
  letter,
  selected,
  onKey,
  found,
  underFirst,
}: {
  letter: StoredDetermination;
  selected: boolean;
  onKey: (event: KeyboardEvent) => void;
  found: string | null;
  /** Another form of the letter in the row above it (see `groupForms`). */
  underFirst: boolean;
}) {
  const classified = letter.status === 'CLASSIFIED' ? letter : null;
  const overturned = classified?.items.filter((item) => item.decision === 'OVERTURNED').length ?? 0;
  const confidence = minConfidence(letter);
  const flagged = classified ? new Set([...classified.flags, ...classified.items.flatMap((item) => item.flags)]).size : 0;
  const doubtfulReceipt = letter.deadlines.some((deadline) => deadline.caution);
  return html`<tr
    class=${`${selected ? 'selected' : ''}${underFirst ? ' form' : ''}`}
    aria-selected=${selected}
    tabindex=${selected ? 0 : -1}
    data-letter=${letter.id}
    onKeyDown=${onKey}
    onClick=${() => go({ view: 'letter', id: letter.id, history: false })}
  >
    <td data-label="File"><a href=${`#/letters/${letter.id}`} class="file">${fileName(letter.sourceKeys)}</a>${found && html`<div class="found">${found}</div>`}</td>
    <td data-label="Case">${classified?.caseNumber ?? '—'}</td>
    <td data-label="Decided">${classified?.dates.decision ?? '—'}</td>
    <td data-label="Received">${when(letter.receivedAt)}</td>
    <td data-label="Outcome">${classified ? label(classified.outcome) : label(letter.status)}</td>
    <td class="num" data-label="Items">${classified ? `${classified.items.length} (${overturned} overturned)` : '—'}</td>
    <td class="num" data-label="Least sure">${confidence === null ? '—' : percent(confidence)}</td>
    <td data-label="Next due">${nextDue(letter)}</td>
    <td data-label="Review">${letter.sameLetterAs ? html`<span class="badge">${underFirst ? 'Another form of the letter above' : 'Another form of a letter received before'}</span>` : letter.status === 'UNRECOGNIZED' ? html`<span class="badge warn">Not a Final Determination</span>` : letter.needsReview ? html`<span class="badge warn">Needs review${flagged ? ` · ${flagged} flag${flagged > 1 ? 's' : ''}` : ''}${doubtfulReceipt ? ' · check day received' : ''}</span>` : letter.reviewedBy ? html`<span class="badge ok">Confirmed by ${letter.reviewedBy}</span>` : html`<span class="badge">Read</span>`}</td>
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
  const query = filters.search.trim();
  const [found, setFound] = useState<Found | null>(null);
  // Null until known; false on a deployment whose API has no search: the box then finds file names among the letters loaded.
  const [searchable, setSearchable] = useState<boolean | null>(null);
  const searching = query.length > 0 && searchable !== false;
  // Whether the API has no search: the effect below runs again when that is learned, not when a first answer says it has one (that asked twice).
  const noSearch = searchable === false;

  // A search is asked when typing pauses, and again when a letter brought in is read; its results are
  // the letters best first. Only the words typed are sent, to the API alone; they stay in this tab.
  useEffect(() => {
    if (!query || noSearch) {
      setFound(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      searchPage(query, null)
        .then((page) => {
          if (!live) return;
          const indexing = page.indexing ?? 0;
          setSearchable(true);
          setFound((before) => ({
            query,
            rows: page.data,
            next: page.nextCursor,
            refused: null,
            indexing,
            // The cap is "or more" (the API counts no further): the same cap again says nothing of whether indexing moves.
            stalled: before?.query === query && indexing > 0 && indexing < INDEXING_COUNTED_UP_TO && before.indexing === indexing ? before.stalled + 1 : 0,
          }));
        })
        .catch((problem: unknown) => {
          if (!live) return;
          if (problem instanceof ApiProblemError && problem.status === 404) setSearchable(false);
          else if (problem instanceof ApiProblemError && problem.status === 400)
            setFound({ query, rows: [], next: null, refused: problem.message.replace(/^q: /, ''), indexing: 0, stalled: 0 });
          else setError(problem instanceof ApiProblemError ? problem.message : 'the service could not be reached');
        });
    }, SEARCH_PAUSE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, noSearch, reloads]);
  // Letters read but not yet searchable when it was asked: the search is asked again a moment later, until none are (less often while the count stays).
  useEffect(() => {
    if (!found || found.indexing === 0) return;
    const timer = setTimeout(() => setReloads((count) => count + 1), Math.min(INDEXING_LOOK_AGAIN_MS * 2 ** found.stalled, INDEXING_LOOK_AGAIN_MOST_MS));
    return () => clearTimeout(timer);
  }, [found]);

  // The letters are loaded again when a filter the API applies changes, and once when a file-name
  // search starts (all of them, up to SEARCH_LIMIT): typing the name then filters what was loaded.
  // A file-name search (no search in the API), a deadline filter and the deadline order work on the letters loaded: all of them are loaded first.
  const fileSearch = query.length > 0 && searchable === false;
  const loadAll = fileSearch || filters.due !== '' || filters.sort === 'due';
  const { search: _search, due: _due, sort: _sort, ...apiFilters } = filters;
  const loadKey = JSON.stringify({ ...apiFilters, loadAll, reloads });
  useEffect(() => sessionStorage.setItem('imr.filters', JSON.stringify(filters)), [filters]);
  useEffect(() => {
    setError(null);
    const all = loadAll;
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

  const { rows, under } = useMemo(() => {
    const term = fileSearch ? foldForSearch(query) : '';
    const today = todayInCalifornia();
    const inAWeek = new Date(Date.parse(`${today}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
    // Searching: the results best first, narrowed by the other filters here (the search answers them unfiltered).
    let list = searching ? (found?.rows ?? []).filter((letter) => passes(letter, filters)) : [...(needs?.rows ?? []), ...(rest?.rows ?? [])];
    if (term) list = list.filter((letter) => letter.sourceKeys.some((key) => foldForSearch(key).includes(term)));
    if (filters.due === 'week') list = list.filter((letter) => (nextOpen(letter) ?? '9999') <= inAWeek);
    if (filters.due === 'overdue') list = list.filter(overdue);
    // Next open deadline first; letters with none open after, in the queue's order (the sort is stable).
    if (filters.sort === 'due') list = [...list].sort((a, b) => (nextOpen(a) ?? '9999').localeCompare(nextOpen(b) ?? '9999'));
    // Each other form of a letter (a fax of a letter first received as text) right under the first form.
    return groupForms(list);
  }, [needs, rest, found, searching, fileSearch, query, filters]);
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

  const moreFound = async () => {
    if (!found?.next) return;
    const page = await searchPage(found.query, found.next);
    setFound({ ...found, rows: [...found.rows, ...page.data], next: page.nextCursor });
  };

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
  const counted = searching
    ? found && !found.refused
      ? `${rows.length}${found.next ? '+' : ''} found, best match first`
      : ''
    : needs
      ? `${waiting}${needs.next ? '+' : ''} need review`
      : '';
  const loading = searching ? !found && !error : !needs && !error;
  return html`<section aria-labelledby="queue-title">
    <h1 id="queue-title">Letters <span class="count" aria-live="polite">${counted}</span></h1>
    <${Upload} onRead=${() => setReloads((count) => count + 1)} />
    <${BeingRead} />
    <form class="filters" role="search" onSubmit=${(event: Event) => event.preventDefault()}>
      <label class="search">Search letters <input ref=${search} type="search" name="search" value=${filters.search} placeholder=${searchable === false ? 'a file name: fax 0612' : 'Percocet, lumbar MRI, a name, fax 0612'} aria-describedby="search-help" onInput=${(event: Event) => set({ search: (event.target as HTMLInputElement).value })} /></label>
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
        <option value="queue">${searching ? 'Best match first' : 'Needing review first'}</option><option value="due">Next deadline first</option>
      </select></label>
      <button type="button" class="secondary" onClick=${() => set(EMPTY)}>Clear</button>
    </form>
    <p id="case-help" class=${caseInvalid ? 'error' : 'hint'}>${caseInvalid ? 'A case number looks like CM14-0209876; this one is not searched.' : 'Keys: j / k or the arrows move, Enter opens, / searches the letters.'}</p>
    <p id="search-help" class="hint">${
      searchable === false
        ? 'Finds letters by a part of their file name.'
        : found?.refused
          ? html`<span class="error">Not searched: ${found.refused}.</span>`
          : found && found.indexing > 0
            ? html`<span role="status">${indexingLine(found)}</span>`
            : 'Finds letters holding every word: in their text, requests, case number or file name; 3 letters or more find the words they begin.'
    }</p>
    ${error && html`<p class="error" role="alert">Could not load the letters: ${error}</p>`}
    ${loading && html`<p aria-live="polite">Loading…</p>`}
    ${!loading && !found?.refused && rows.length === 0 && !error && html`<p class="empty">${searching ? 'No letter holds every word searched.' : 'No letters match. New letters appear here as soon as they are read.'}</p>`}
    ${
      rows.length > 0 &&
      html`<table class="queue" role="grid" aria-label="Letters">
      <caption class="visually-hidden">${searching ? 'Letters found, best match first' : 'Letters, those needing review first, then the newest'}</caption>
      <thead><tr><th scope="col">File</th><th scope="col">Case</th><th scope="col">Decided</th><th scope="col">Received</th><th scope="col">Outcome</th><th scope="col">Items</th><th scope="col">Least sure</th><th scope="col">Next due</th><th scope="col">Review</th></tr></thead>
      <tbody ref=${grid}>${rows.map((letter, index) => html`<${Row} key=${letter.id} letter=${letter} selected=${index === selected} onKey=${onRowKey} found=${searching ? foundIn(letter, query) : null} underFirst=${under.has(letter.id)} />`)}</tbody>
    </table>`
    }
    <div class="more">
      ${searching && found?.next && html`<button type="button" class="secondary" onClick=${() => void moreFound()}>More results</button>`}
      ${!searching && needs?.next && html`<button type="button" class="secondary" onClick=${() => void more('needs')}>More letters needing review</button>`}
      ${!searching && rest?.next && html`<button type="button" class="secondary" onClick=${() => void more('rest')}>More letters</button>`}
    </div>
  </section>`;
}
