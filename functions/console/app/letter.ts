/**
 * One letter: its pages (or text) beside its items. Per item the request, decision, class,
 * the rationale's own conclusion, flags in plain words and confidence, each correctable in
 * place; the letter confirmed with one key. Corrections are saved with `If-Match`, so two
 * people never overwrite each other unseen.
 */
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { html } from './html.ts';
import { getBlob, getJson, getText, download, ApiProblemError } from './api.ts';
import { go, useKeys } from './router.ts';
import { queueOrder } from './queue.ts';
import { FLAG_WORDS, changedField, daysLeft, fileName, label, percent, when } from './words.ts';
import { locateItems, pagesOf, type Passage } from './locate.ts';
import { headingMark, pagesToRead, type HeadingMark } from './heading.ts';
import type { LayoutLine } from '../../domain/page-layout.ts';
import { TAXONOMY, CATEGORIES } from '../../domain/taxonomy.ts';
import type { Decision, DisputedItem, HistoryEntry, Page, RationaleConclusion, StoredDetermination } from './types.ts';
import {
  correctionBody,
  hasChanges,
  hasUnsaved,
  letterReducer,
  OPENED,
  ZOOMS,
  zoomStep,
  type Classified,
  type ItemDraft,
  type KeptDraft,
} from './letter-state.ts';

/** The zoom buttons of the page image: out, fit to width, in; with what each key does. */
function ZoomControls({ zoom, setZoom }: { zoom: number; setZoom: (zoom: number) => void }) {
  return html`<span class="zoom" role="group" aria-label="Zoom">
    <button type="button" class="secondary" aria-label="Zoom out" title="Zoom out (-)" disabled=${zoom <= ZOOMS[0]} onClick=${() => setZoom(zoomStep(zoom, -1))}>−</button>
    <button type="button" class="secondary fit" title="Fit to width (0)" aria-pressed=${zoom === 1} onClick=${() => setZoom(1)}><span class="level">${Math.round(zoom * 100)}%</span><span class="visually-hidden">: fit to width</span></button>
    <button type="button" class="secondary" aria-label="Zoom in" title="Zoom in (+)" disabled=${zoom >= ZOOMS[ZOOMS.length - 1]!} onClick=${() => setZoom(zoomStep(zoom, 1))}>+</button>
  </span>`;
}

/**
 * Where a letter's page is shown: its image (fit to the pane's width, zoomed by steps, panned by
 * dragging or scrolling, with the selected item's heading marked when its place is known), or
 * its text when it has no images. Sizes and places are set through the CSSOM (`element.style`),
 * which the console's CSP allows; no style attribute is ever written in markup.
 */
function PagePane({
  id,
  pages,
  page,
  passage,
  mark,
  markLabel,
  mode,
  zoom,
  setZoom,
  setMode,
  onNoImages,
}: {
  id: string;
  pages: string[] | null;
  page: number;
  passage: Passage | null;
  mark: HeadingMark | null;
  markLabel: string;
  mode: 'image' | 'text';
  zoom: number;
  setZoom: (zoom: number) => void;
  setMode: (mode: 'image' | 'text') => void;
  onNoImages: () => void;
}) {
  const [image, setImage] = useState<string | null>(null);
  const [imageError, setImageError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const textMark = useRef<HTMLElement>(null);
  const headingBox = useRef<HTMLDivElement>(null);
  const sheet = useRef<HTMLDivElement>(null);
  const pane = useRef<HTMLDivElement>(null);
  /** The point of the page at the pane's centre before a zoom (fractions of the sheet), kept there after it. */
  const centre = useRef<{ x: number; y: number } | null>(null);
  const drag = useRef<{ pointer: number; x: number; y: number; left: number; top: number } | null>(null);
  useEffect(() => {
    if (mode !== 'image') return;
    let url: string | null = null;
    let live = true;
    setImage(null);
    setImageError(null);
    setLoaded(false);
    getBlob(`/documents/${id}/pages/${page}`)
      .then((blob) => {
        url = URL.createObjectURL(blob);
        if (live) setImage(url);
      })
      .catch((problem: unknown) => {
        if (!live) return;
        // A letter that arrived as text has no page images: its text is the letter.
        if (problem instanceof ApiProblemError && problem.status === 404) {
          setMode('text');
          onNoImages();
        } else setImageError(problem instanceof ApiProblemError ? problem.message : 'the page could not be loaded');
      });
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [id, page, mode]);
  // Only the pane scrolls to the passage: the item the person is working on stays in view.
  useEffect(() => {
    if (mode === 'text' && textMark.current && pane.current)
      pane.current.scrollTop = Math.max(0, textMark.current.offsetTop - pane.current.offsetTop - pane.current.clientHeight / 3);
  }, [passage, mode, page]);

  const here = mark && mark.page === page ? mark : null;
  // The sheet's width is the zoom (the image fills it); the mark's box is fractions of the page, so it holds at any zoom.
  useLayoutEffect(() => {
    if (sheet.current) sheet.current.style.width = `${zoom * 100}%`;
    const box = headingBox.current;
    if (box && here) {
      box.style.left = `${here.box[0] * 100}%`;
      box.style.top = `${here.box[1] * 100}%`;
      box.style.width = `${(here.box[2] - here.box[0]) * 100}%`;
      box.style.height = `${(here.box[3] - here.box[1]) * 100}%`;
    }
    const view = pane.current;
    if (view && centre.current) {
      view.scrollLeft = centre.current.x * view.scrollWidth - view.clientWidth / 2;
      view.scrollTop = centre.current.y * view.scrollHeight - view.clientHeight / 2;
      centre.current = null;
      // A marked heading in sight before the zoom keeps its start in sight after it.
      if (
        box &&
        here &&
        box.offsetTop + box.offsetHeight > view.scrollTop &&
        box.offsetTop < view.scrollTop + view.clientHeight &&
        box.offsetLeft < view.scrollLeft + 24
      )
        view.scrollLeft = Math.max(0, box.offsetLeft - 24);
    }
  });
  // A marked heading is brought into view once its page is drawn: a third of the way down the pane, its start at the left.
  useEffect(() => {
    const view = pane.current;
    const box = headingBox.current;
    if (!loaded || !view || !box || !here) return;
    view.scrollTop = Math.max(0, box.offsetTop - view.clientHeight / 3);
    view.scrollLeft = Math.max(0, box.offsetLeft - 24);
  }, [loaded, here?.page, here?.box.join()]);

  const zoomTo = (next: number) => {
    const view = pane.current;
    if (view && view.scrollWidth > 0)
      centre.current = { x: (view.scrollLeft + view.clientWidth / 2) / view.scrollWidth, y: (view.scrollTop + view.clientHeight / 2) / view.scrollHeight };
    setZoom(next);
  };
  useKeys({
    '+': () => mode === 'image' && zoomTo(zoomStep(zoom, 1)),
    '=': () => mode === 'image' && zoomTo(zoomStep(zoom, 1)),
    '-': () => mode === 'image' && zoomTo(zoomStep(zoom, -1)),
    '0': () => mode === 'image' && zoomTo(1),
  });
  // Dragging with a mouse pans a page larger than the pane; a finger or a pen scrolls it as any pane scrolls.
  const onPointerDown = (event: PointerEvent) => {
    const view = pane.current;
    if (!view || event.pointerType !== 'mouse' || event.button !== 0 || zoom <= 1) return;
    drag.current = { pointer: event.pointerId, x: event.clientX, y: event.clientY, left: view.scrollLeft, top: view.scrollTop };
    view.setPointerCapture?.(event.pointerId);
    view.classList.add('dragging');
    event.preventDefault();
  };
  const onPointerMove = (event: PointerEvent) => {
    const view = pane.current;
    const from = drag.current;
    if (!view || !from || from.pointer !== event.pointerId) return;
    view.scrollLeft = from.left - (event.clientX - from.x);
    view.scrollTop = from.top - (event.clientY - from.y);
  };
  const onPointerUp = (event: PointerEvent) => {
    if (drag.current?.pointer !== event.pointerId) return;
    drag.current = null;
    pane.current?.classList.remove('dragging');
  };
  // Ctrl with the wheel (and a trackpad's pinch, which the browser sends as one) zooms the page, not the console.
  const onWheel = (event: WheelEvent) => {
    if (mode !== 'image' || !event.ctrlKey || event.deltaY === 0) return;
    event.preventDefault();
    zoomTo(zoomStep(zoom, event.deltaY < 0 ? 1 : -1));
  };

  const text = pages?.[page - 1] ?? null;
  const textHere = passage && passage.page === page ? passage : null;
  // Focusable, so the page can be scrolled from the keyboard.
  return html`<div class="page-view">
    ${
      mode === 'image' &&
      html`<div class="page-tools">
        <${ZoomControls} zoom=${zoom} setZoom=${zoomTo} />
        <span class="hint mark-note" aria-live="polite">${here ? markLabel : ''}</span>
      </div>`
    }
    <div
    class=${`page-pane ${mode === 'image' && zoom > 1 ? 'zoomed' : ''}`}
    ref=${pane}
    tabindex="0"
    aria-label=${`Page ${page}`}
    onPointerDown=${onPointerDown}
    onPointerMove=${onPointerMove}
    onPointerUp=${onPointerUp}
    onPointerCancel=${onPointerUp}
    onWheel=${onWheel}
  >
    ${mode === 'image' && !imageError && !image && html`<p aria-live="polite">Loading page ${page}…</p>`}
    ${mode === 'image' && imageError && html`<p class="error" role="alert">${imageError}</p>`}
    ${
      mode === 'image' &&
      image &&
      html`<div class="sheet" ref=${sheet}>
        <img src=${image} alt=${`Page ${page} of the letter as received`} draggable="false" onLoad=${() => setLoaded(true)} />
        ${here && html`<div class="heading-mark" ref=${headingBox} aria-hidden="true" title=${markLabel}></div>`}
      </div>`
    }
    ${
      mode === 'text' &&
      (text === null
        ? html`<p class="empty">No text was kept for this page.</p>`
        : html`<pre class="letter-text">${textHere ? html`${text.slice(0, textHere.start)}<mark ref=${textMark}>${text.slice(textHere.start, textHere.end)}</mark>${text.slice(textHere.end)}` : text}</pre>`)
    }
  </div>
  </div>`;
}

function ItemCard({
  item,
  index,
  conclusion,
  draft,
  selected,
  passage,
  headingPage,
  onSelect,
  onChange,
}: {
  item: DisputedItem;
  index: number;
  /** The rationale's own conclusion, as the API answers it (null where it states none). */
  conclusion: RationaleConclusion | null;
  draft: ItemDraft;
  selected: boolean;
  passage: Passage | null;
  /** The page its heading is marked on, when it is the item shown and its heading was found. */
  headingPage?: number | undefined;
  onSelect: () => void;
  onChange: (patch: ItemDraft) => void;
}) {
  const decision = draft.decision ?? item.decision;
  const category = draft.category ?? item.category;
  const subcategory = draft.subcategory !== undefined ? draft.subcategory : item.subcategory;
  const request = draft.request ?? item.request;
  const agrees = conclusion && (conclusion.necessary ? decision === 'OVERTURNED' : decision === 'UPHELD');
  const changed = Object.keys(draft).length > 0;
  const name = `item-${index}`;
  return html`<article class=${`item ${selected ? 'selected' : ''} ${item.flags.length ? 'flagged' : ''}`} aria-labelledby=${`${name}-title`} aria-current=${selected ? 'true' : undefined} onClick=${onSelect} id=${name}>
    <header>
      <h3 id=${`${name}-title`}>Item ${index + 1}${changed ? html` <span class="badge info">changed</span>` : ''}</h3>
      <span class="confidence" title="How sure the reading is">
        <meter min="0" max="1" low="0.7" high="0.9" optimum="1" value=${item.confidence} aria-label=${`Confidence of item ${index + 1}`}></meter> ${percent(item.confidence)}
      </span>
    </header>
    <label class="wide">Request <input type="text" value=${request} maxlength="500" data-field="request" onInput=${(event: Event) => onChange({ request: (event.target as HTMLInputElement).value })} /></label>
    <fieldset class="decision">
      <legend>Decision</legend>
      ${(['UPHELD', 'OVERTURNED'] as Decision[]).map(
        (value) =>
          html`<label class=${`choice ${value === 'OVERTURNED' ? 'overturned' : 'upheld'}`}><input type="radio" name=${`${name}-decision`} value=${value} checked=${decision === value} onChange=${() => onChange({ decision: value })} /> ${label(value)}</label>`,
      )}
    </fieldset>
    <div class="class-row">
      <label>Category <select value=${category} onChange=${(event: Event) => {
        const next = (event.target as HTMLSelectElement).value as DisputedItem['category'];
        // A category's subcategories differ: the old one is cleared rather than left inconsistent.
        onChange({ category: next, subcategory: null });
      }}>${CATEGORIES.map((value) => html`<option value=${value}>${label(value)}</option>`)}</select></label>
      <label>Subcategory <select value=${subcategory ?? ''} onChange=${(event: Event) => onChange({ subcategory: ((event.target as HTMLSelectElement).value || null) as DisputedItem['subcategory'] })}>
        <option value="">None</option>
        ${(TAXONOMY[category as keyof typeof TAXONOMY] as readonly string[]).map((value) => html`<option value=${value}>${label(value)}</option>`)}
      </select></label>
    </div>
    <p class=${`conclusion ${conclusion ? (agrees ? 'agrees' : 'disagrees') : ''}`}>
      <strong>Rationale concludes: </strong>
      ${conclusion ? html`${conclusion.necessary ? 'medically necessary' : 'not medically necessary'} ${agrees ? '(agrees with the decision)' : html`<strong>(does not agree with the decision)</strong>`}<br /><q>${conclusion.sentence}</q>` : 'no concluding sentence was found; read the rationale.'}
    </p>
    ${item.flags.length > 0 && html`<ul class="flags" aria-label=${`Why item ${index + 1} needs a look`}>${item.flags.map((flag) => html`<li>${FLAG_WORDS[flag]}</li>`)}</ul>`}
    ${item.flags.length === 0 && item.confidence < 0.9 && html`<p class="flags">Less sure than usual (${percent(item.confidence)}), because of how the letter reads around it: check it against the letter.</p>`}
    <p class="where">${passage ? html`In the letter on page ${passage.page}${headingPage && headingPage !== passage.page ? `, its heading on page ${headingPage}` : ''}.` : 'Its place in the letter was not found in the text.'}</p>
  </article>`;
}

const KIND_WORDS = { AUTHORIZE: 'Authorize', REIMBURSE: 'Reimburse', APPEAL: 'Appeal' } as const;

/** What the letter sets in motion: each deadline, its day, the items it covers and its rule. */
function Deadlines({ letter }: { letter: Classified }) {
  if (letter.deadlines.length === 0) return html`<p class="hint">No deadline: every item was upheld and the letter gives no decision date.</p>`;
  return html`<section class="deadlines" aria-labelledby="deadlines-title">
    <h2 id="deadlines-title">Deadlines</h2>
    <ul>${letter.deadlines.map(
      (deadline) => html`<li>
        <strong>${KIND_WORDS[deadline.kind]} by ${weekday(deadline.due)} ${deadline.due}</strong>
        ${dueWords(deadline.due)}
        ${deadline.items.length > 0 && html` · item${deadline.items.length > 1 ? 's' : ''} ${deadline.items.map((index) => index + 1).join(', ')}`}
        ${deadline.services && deadline.services.length > 0 && html`<ul class="services">${deadline.services.map((service) => html`<li>${service}</li>`)}</ul>`}
        <span class="hint">${deadline.rule}: ${deadline.basis}; from ${deadline.from}.</span>
        ${deadline.caution && html`<br /><span class="caution">Check: ${deadline.caution}.</span>`}
      </li>`,
    )}</ul>
  </section>`;
}

/** Days left (or overdue) beside a deadline, in words and colour: an overdue one never looks like any other. */
function dueWords(due: string) {
  const left = daysLeft(due);
  return html` <span class=${`due ${left.overdue ? 'overdue' : left.soon ? 'soon' : ''}`}>${left.words}</span>`;
}

/** The weekday of a date, in the reader's language. */
function weekday(iso: string): string {
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString(undefined, { weekday: 'short', timeZone: 'UTC' });
}

function History({ id }: { id: string }) {
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getJson<{ data: HistoryEntry[] }>(`/determinations/${id}/history`)
      .then((answer) => setEntries(answer.data))
      .catch((problem: unknown) => setError(problem instanceof ApiProblemError ? problem.message : 'the history could not be loaded'));
  }, [id]);
  return html`<section class="history" aria-labelledby="history-title">
    <h2 id="history-title">History</h2>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      entries &&
      html`<ol reversed>${entries.map(
        (entry) => html`<li>
        <p><strong>Revision ${entry.revision}</strong> · ${when(entry.at)} · ${entry.by.startsWith('imr engine') ? `the service (${entry.by})` : entry.by}</p>
        ${
          entry.changes.length === 0
            ? html`<p class="hint">${entry.by.startsWith('imr engine') ? (entry.revision === 1 ? 'First reading by the service.' : 'Read again by the service; nothing changed.') : 'Saved with no field changed.'}</p>`
            : html`<ul>${entry.changes.map((change) => html`<li>${changedField(change.path)}: ${String(change.from ?? '—')} → <strong>${String(change.to ?? '—')}</strong></li>`)}</ul>`
        }
        ${entry.note && html`<p class="note">${entry.by.startsWith('imr engine') ? entry.note.replace(/^./, (first) => first.toUpperCase()) : `Note: ${entry.note}`}</p>`}
      </li>`,
      )}</ol>`
    }
  </section>`;
}

function draftKey(id: string): string {
  return `imr.draft.${id}`;
}

/**
 * The next letter needing review: after this one in the queue as last shown, else the newest
 * the service still has flagged (the letter may have been opened from a link).
 */
async function nextLetter(id: string): Promise<string | null> {
  const at = queueOrder.review.indexOf(id);
  const queued = queueOrder.review.slice(at + 1).find((other) => other !== id) ?? queueOrder.review.find((other) => other !== id);
  if (queued) return queued;
  const page = await getJson<Page<StoredDetermination>>('/determinations?needsReview=true&limit=5');
  return page.data.find((other) => other.id !== id)?.id ?? null;
}

/** The letter view: its state in one reducer (`letter-state.ts`); this function only shows it and dispatches. */
export function Letter({ id, showHistory }: { id: string; showHistory: boolean }) {
  const [state, dispatch] = useReducer(letterReducer, OPENED);
  const { letter, pages, error, edits, selected, page, mode, noImages, message, busy, historyKey, zoom } = state;
  const { drafts, header, note } = edits;

  const load = async (restore = false) => {
    try {
      const loaded = await getJson<StoredDetermination>(`/determinations/${id}`);
      // Unsaved changes survive a reload or a new sign-in, as long as nobody saved the letter since (the reducer checks the revision).
      const kept = restore ? (JSON.parse(sessionStorage.getItem(draftKey(id)) ?? 'null') as KeptDraft | null) : null;
      if (!kept || kept.revision !== loaded.revision) sessionStorage.removeItem(draftKey(id));
      dispatch({ type: 'loaded', letter: loaded, kept });
    } catch (problem) {
      dispatch({ type: 'loadFailed', error: problem instanceof ApiProblemError ? problem.message : 'the letter could not be loaded' });
    }
    getText(`/documents/${id}/text`)
      .then((text) => dispatch({ type: 'text', pages: pagesOf(text) }))
      .catch(() => dispatch({ type: 'text', pages: null }));
  };
  useEffect(() => {
    // Another letter: nothing of the last one's unsaved changes may carry over.
    dispatch({ type: 'opened' });
    void load(true);
  }, [id]);
  useEffect(() => {
    // Only for the letter on screen: right after moving to another letter, the state is the last one's.
    if (letter?.id !== id) return;
    if (hasUnsaved(edits)) sessionStorage.setItem(draftKey(id), JSON.stringify({ revision: letter.revision, ...edits } satisfies KeptDraft));
    else sessionStorage.removeItem(draftKey(id));
  }, [edits]);

  const classified = letter?.status === 'CLASSIFIED' ? (letter as Classified) : null;
  const passages = useMemo(() => (classified && pages ? locateItems(pages, classified.items) : []), [classified, pages]);
  const pageCount = pages?.length ?? 1;

  // The lines OCR read on the pages an item's heading may be on, fetched as items are selected; null where none were kept.
  const [lines, setLines] = useState<ReadonlyMap<number, readonly LayoutLine[] | null>>(new Map());
  const requested = useRef({ id, pages: new Set<number>() });
  const passage = passages[selected] ?? null;
  useEffect(() => {
    if (requested.current.id !== id) {
      requested.current = { id, pages: new Set() };
      setLines(new Map());
    }
    if (mode !== 'image' || noImages) return;
    const asked = requested.current;
    for (const wanted of pagesToRead(passage).filter((number) => !asked.pages.has(number))) {
      asked.pages.add(wanted);
      getJson<{ lines: LayoutLine[] }>(`/documents/${id}/pages/${wanted}/lines`)
        .then((answer) => answer.lines)
        .catch(() => null)
        // Kept only for the letter they were asked for.
        .then((found) => requested.current === asked && setLines((known) => new Map(known).set(wanted, found)));
    }
  }, [id, passage, mode, noImages]);
  const item = classified?.items[selected];
  const mark = useMemo(
    () =>
      item && pages
        ? headingMark(pages, passage, item.request, (number) => lines.get(number), {
            others: classified!.items.filter((_, index) => index !== selected).map((other) => other.request),
            previous: passages[selected - 1] ?? null,
            earlier: classified!.items.slice(0, selected).map((other) => other.request),
          })
        : null,
    [item, pages, passage, lines, passages, selected, classified],
  );
  // A heading found on the page before its rationale's: that page is shown, once for each item chosen.
  const jumped = useRef(0);
  useEffect(() => {
    if (mark && mark.page !== page && jumped.current !== selected) {
      jumped.current = selected;
      dispatch({ type: 'page', page: mark.page });
    }
  }, [mark]);
  const setPage = (next: number) => dispatch({ type: 'page', page: next });
  const setMode = (next: 'image' | 'text') => dispatch({ type: 'mode', mode: next });

  const select = (index: number) => {
    if (!classified) return;
    const bounded = Math.max(0, Math.min(index, classified.items.length - 1));
    jumped.current = -1;
    dispatch({ type: 'select', index: bounded, ...(passages[bounded] ? { page: passages[bounded].page } : {}) });
    document.getElementById(`item-${bounded}`)?.scrollIntoView({ block: 'nearest' });
  };
  // Every keystroke goes into the state (onInput), so a re-render while the person types (a page
  // arriving, the text loading) never puts the old value back into the field.
  const change = (index: number, patch: ItemDraft) => dispatch({ type: 'edit', index, patch, read: classified!.items[index]! });

  const save = async (confirm: boolean, unlink = false) => {
    if (!classified || busy) return;
    const body = correctionBody(classified, edits, { confirm, unlink });
    if (!body) {
      dispatch({ type: 'message', message: { kind: 'ok', text: 'Nothing to save: no field was changed.' } });
      return;
    }
    dispatch({ type: 'saving' });
    try {
      const updated = await getJson<StoredDetermination>(`/determinations/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'if-match': String(classified.revision) },
        body: JSON.stringify(body),
      });
      if (confirm) {
        queueOrder.review = queueOrder.review.filter((other) => other !== id);
        const next = await nextLetter(id).catch(() => null);
        dispatch({
          type: 'saved',
          letter: updated,
          message: {
            kind: 'ok',
            text: `Confirmed (revision ${updated.revision}).${next ? ' Opening the next letter to review.' : ' No other letter needs review.'}`,
          },
        });
        if (next) setTimeout(() => go({ view: 'letter', id: next, history: false }), 600);
      } else {
        dispatch({ type: 'saved', letter: updated, message: { kind: 'ok', text: `Saved as revision ${updated.revision}.` } });
      }
    } catch (problem) {
      if (problem instanceof ApiProblemError && problem.status === 412) {
        dispatch({
          type: 'saveFailed',
          message: { kind: 'error', text: 'Someone else changed this letter meanwhile. It was reloaded with their changes; make yours again.' },
        });
        void load();
      } else {
        dispatch({
          type: 'saveFailed',
          message: { kind: 'error', text: problem instanceof ApiProblemError ? problem.message : 'the service could not be reached; nothing was saved' },
        });
      }
    }
  };

  const setDecision = (decision: Decision) => classified && change(selected, { decision });
  useKeys({
    j: () => select(selected + 1),
    k: () => select(selected - 1),
    u: () => setDecision('UPHELD'),
    o: () => setDecision('OVERTURNED'),
    e: () => (document.querySelector(`#item-${selected} [data-field="request"]`) as HTMLInputElement | null)?.focus(),
    s: () => void save(false),
    c: () => void save(true),
    ']': () => setPage(Math.min(page + 1, pageCount)),
    '[': () => setPage(Math.max(page - 1, 1)),
    t: () => !noImages && setMode(mode === 'image' ? 'text' : 'image'),
    h: () => go({ view: 'letter', id, history: !showHistory }),
    n: () => void nextLetter(id).then((next) => next && go({ view: 'letter', id: next, history: false })),
    Escape: () => go({ view: 'queue' }),
  });

  if (error) return html`<p class="error" role="alert">Could not load this letter: ${error}. <a href="#/">Back to the letters</a></p>`;
  // Until this letter has loaded, nothing of the one shown before (its items, its edits) is drawn under its address.
  if (!letter || !letter.id.startsWith(id.toLowerCase())) return html`<p aria-live="polite">Loading the letter…</p>`;
  const pending = hasChanges(edits);
  return html`<section class="letter" aria-labelledby="letter-title">
    <div class="letter-head">
      <div>
        <h1 id="letter-title">${fileName(letter.sourceKeys)}</h1>
        <p class="meta">
          ${letter.needsReview ? html`<span class="badge warn">Needs review</span>` : letter.reviewedBy ? html`<span class="badge ok">Confirmed by ${letter.reviewedBy} · ${when(letter.reviewedAt)}</span>` : html`<span class="badge">Read, nothing flagged</span>`}
          · received ${when(letter.receivedAt)} · revision ${letter.revision}
          ${classified && html` · ${label(classified.outcome)} · layout ${classified.layout}`}
        </p>
      </div>
      <div class="actions">
        <button type="button" class="secondary" onClick=${() => void download(`/documents/${id}/original`, fileName(letter.sourceKeys))}>Original</button>
        <a class="button secondary" href=${`#/letters/${id}${showHistory ? '' : '/history'}`}>${showHistory ? 'Hide history' : 'History'} <kbd>h</kbd></a>
        ${
          classified &&
          html`<button type="button" class="secondary" disabled=${busy || !pending} onClick=${() => void save(false)}>Save <kbd>s</kbd></button>
        <button type="button" class="primary" disabled=${busy} onClick=${() => void save(true)}>${pending ? 'Save and confirm' : 'Confirm letter'} <kbd>c</kbd></button>`
        }
      </div>
    </div>
    ${message && html`<p class=${message.kind === 'error' ? 'error' : 'success'} role=${message.kind === 'error' ? 'alert' : 'status'}>${message.text}</p>`}
    ${letter.status === 'UNRECOGNIZED' && html`<p class="error">Not read as an IMR Final Determination: ${letter.reason}</p>`}
    ${
      letter.sameLetterAs &&
      html`<p class="note-band" role="note">
      Another form of a letter received before: <a href=${`#/letters/${letter.sameLetterAs}`}>open the first one</a>. This copy is not counted in the stats nor announced again.
      ${classified && html`<button type="button" class="secondary" disabled=${busy} onClick=${() => void save(false, true)}>Not the same letter</button>`}
    </p>`
    }
    ${
      classified &&
      (classified.flags.length > 0 || classified.warnings.length > 0) &&
      html`<div class="warnings" role="note" aria-label="What the service was unsure of in this letter">
      <ul>${classified.flags.map((flag) => html`<li>${FLAG_WORDS[flag]}</li>`)}${classified.warnings.map((warning) => html`<li>${warning}</li>`)}</ul>
    </div>`
    }
    ${showHistory && html`<${History} key=${historyKey} id=${id} />`}
    <div class="split">
      <div class="pages" aria-label="The letter">
        <div class="pager">
          <button type="button" class="secondary" aria-label="Previous page" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>‹ <kbd>[</kbd></button>
          <span aria-live="polite">Page ${page} of ${pageCount}</span>
          <button type="button" class="secondary" aria-label="Next page" disabled=${page >= pageCount} onClick=${() => setPage(page + 1)}><kbd>]</kbd> ›</button>
          ${noImages ? html`<span class="hint">Arrived as text: no page images</span>` : html`<button type="button" class="secondary" aria-pressed=${mode === 'text'} onClick=${() => setMode(mode === 'image' ? 'text' : 'image')}>${mode === 'image' ? 'Show text' : 'Show page'} <kbd>t</kbd></button>`}
        </div>
        <${PagePane}
          id=${id}
          pages=${pages}
          page=${page}
          passage=${passage}
          mark=${mark}
          markLabel=${`Item ${selected + 1}'s heading is marked.`}
          mode=${mode}
          zoom=${zoom}
          setZoom=${(next: number) => dispatch({ type: 'zoom', zoom: next })}
          setMode=${setMode}
          onNoImages=${() => dispatch({ type: 'noImages' })}
        />
      </div>
      <div class="items">
        ${
          classified &&
          html`<fieldset class="letter-fields">
            <legend>Letter</legend>
            <label>Case number <input type="text" value=${header.caseNumber ?? classified.caseNumber ?? ''} pattern="CM\\d{2}-\\d{5,8}" onInput=${(event: Event) => dispatch({ type: 'header', patch: { caseNumber: (event.target as HTMLInputElement).value } })} /></label>
            <label>Decided on <input type="date" value=${header.decision ?? classified.dates.decision ?? ''} onInput=${(event: Event) => dispatch({ type: 'header', patch: { decision: (event.target as HTMLInputElement).value } })} /></label>
            <label>Received on <input type="date" value=${header.receivedOn ?? classified.receivedOn} required onInput=${(event: Event) => dispatch({ type: 'header', patch: { receivedOn: (event.target as HTMLInputElement).value } })} /></label>
          </fieldset>
          <${Deadlines} letter=${classified} />
          ${classified.items.map((item, index) => html`<${ItemCard} key=${index} item=${item} index=${index} conclusion=${classified.conclusions[index] ?? null} draft=${drafts[index] ?? {}} selected=${index === selected} passage=${passages[index] ?? null} headingPage=${index === selected ? mark?.page : undefined} onSelect=${() => select(index)} onChange=${(patch: ItemDraft) => change(index, patch)} />`)}
          <label class="wide">Note for the history (optional) <textarea rows="2" maxlength="2000" value=${note} onInput=${(event: Event) => dispatch({ type: 'note', note: (event.target as HTMLTextAreaElement).value })}></textarea></label>`
        }
        <p class="hint">Keys: j / k item, u upheld, o overturned, e edit request, s save, c confirm and go on, [ / ] page, + / - / 0 zoom in, out, fit, t text, h history, n next letter, Esc letters.</p>
      </div>
    </div>
  </section>`;
}
