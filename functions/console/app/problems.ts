/**
 * Documents that did not become a reading: FAILED and UNRECOGNIZED, each with its reason in
 * words and what to do. On one machine a person resolves each: Retry (read it again), Dismiss
 * with a note (off this list, kept, and put back at will) or Delete (a wrong upload gone, kept in
 * the audit log). The lists stay live: what is read, fails or is resolved elsewhere shows here.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.ts';
import { getJson, download, ApiProblemError } from './api.ts';
import { sessionToken } from './auth.ts';
import { fileName, label, reasonInWords, when } from './words.ts';
import { fileNamesOf } from '../../common/source-keys.ts';
import type { DocumentRecord, Page } from './types.ts';
import type { AuditEntry } from '../../service/ports.ts';
import { Upload } from './upload.ts';
import { BeingRead } from './reading.ts';
import { useOnChange } from './live.ts';

/** Resolving a document (retry, dismiss, delete, the audit log) is the service's on one machine: where the page holds a session. */
function resolvable(): boolean {
  return sessionToken() !== null;
}

function problemText(problem: unknown, otherwise: string): string {
  return problem instanceof ApiProblemError ? problem.message : otherwise;
}

/**
 * A list of documents (`query` as `GET /documents` takes it), loaded page by page and loaded
 * again in place when the store changes or `version` moves: as many rows as were loaded, no
 * "loading" between, so nothing flickers and the scroll stays.
 */
function useDocuments(query: string, version: number) {
  const [rows, setRows] = useState<DocumentRecord[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loaded = useRef(0);
  const fetchPage = (cursor: string | null) =>
    getJson<Page<DocumentRecord>>(`/documents?${query}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  const more = (cursor: string) =>
    fetchPage(cursor)
      .then((page) => {
        setRows((current) => {
          const all = [...(current ?? []), ...page.data];
          loaded.current = all.length;
          return all;
        });
        setNext(page.nextCursor);
      })
      .catch((problem: unknown) => setError(problemText(problem, 'could not be loaded')));
  const refresh = async () => {
    try {
      const all: DocumentRecord[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<DocumentRecord> = await fetchPage(cursor);
        all.push(...page.data);
        cursor = page.nextCursor;
      } while (cursor && all.length < loaded.current);
      loaded.current = all.length;
      setRows(all);
      setNext(cursor);
      setError(null);
    } catch (problem) {
      setError(problemText(problem, 'could not be loaded'));
    }
  };
  useEffect(() => void refresh(), [query, version]);
  useOnChange(refresh);
  return { rows, next, error, more };
}

/** What a person chose to do to a document, waiting for their note. */
interface Resolving {
  readonly kind: 'dismiss' | 'delete';
  readonly row: DocumentRecord;
}

/** The reason in words: what happened, the detail the service gave, and what to do. */
function Reason({ row }: { row: DocumentRecord }) {
  const words = reasonInWords(row.reason, fileNamesOf(row.sourceKeys));
  return html`<p class="what">${words.what}</p>
    ${words.detail && html`<p class="hint detail">${words.detail}</p>`}
    <p class="todo"><span class="label">What to do: </span>${words.todo}</p>`;
}

function List({
  status,
  title,
  help,
  version,
  onResolve,
  onRetried,
}: {
  status: 'FAILED' | 'UNRECOGNIZED';
  title: string;
  help: string;
  version: number;
  onResolve: (resolving: Resolving) => void;
  onRetried: (text: string) => void;
}) {
  const { rows, next, error, more } = useDocuments(`status=${status}&dismissed=false`, version);
  const [failure, setFailure] = useState<string | null>(null);
  // Read again from the stored original (a crashed reader, a full disk, or a fixed cause): the list follows as it is read.
  const retry = (row: DocumentRecord) =>
    getJson(`/documents/${row.id}/retry`, { method: 'POST' })
      .then(() => onRetried(`${fileName(row.sourceKeys)} is being read again.`))
      .catch((problem: unknown) => setFailure(problemText(problem, 'the retry could not be asked for')));
  const id = `${status.toLowerCase()}-title`;
  const local = resolvable();
  return html`<section aria-labelledby=${id} class="problems">
    <h2 id=${id}>${title} <span class="count">${rows ? `${rows.length}${next ? '+' : ''}` : ''}</span></h2>
    <p class="hint">${help}</p>
    ${(error || failure) && html`<p class="error" role="alert">${failure ?? error}</p>`}
    ${rows && rows.length === 0 && html`<p class="empty">None.</p>`}
    ${
      rows &&
      rows.length > 0 &&
      html`<table class="problems">
      <thead><tr><th scope="col">File</th><th scope="col">Received</th><th scope="col">Status</th><th scope="col">Reason, and what to do</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${rows.map((row) => {
        const name = fileName(row.sourceKeys);
        return html`<tr key=${row.id} data-document=${row.id}>
          <td data-label="File" class="file">${status === 'UNRECOGNIZED' ? html`<a href=${`#/letters/${row.id}`}>${name}</a>` : name}</td>
          <td data-label="Received">${when(row.receivedAt)}</td>
          <td data-label="Status">${label(row.status)}</td>
          <td data-label="Reason" class="reason"><${Reason} row=${row} /></td>
          <td class="row-actions">
            ${local && status === 'FAILED' && html`<button type="button" class="secondary" aria-label=${`Retry ${name}`} onClick=${() => void retry(row)}>Retry</button>`}
            ${local && html`<button type="button" class="secondary" aria-label=${`Dismiss ${name}`} onClick=${() => onResolve({ kind: 'dismiss', row })}>Dismiss</button>`}
            ${local && html`<button type="button" class="secondary danger" aria-label=${`Delete ${name}`} onClick=${() => onResolve({ kind: 'delete', row })}>Delete</button>`}
            <button type="button" class="secondary" aria-label=${`Original of ${name}`} onClick=${() => void download(`/documents/${row.id}/original`, name).catch((problem: unknown) => setFailure(problemText(problem, 'the download failed')))}>Original</button>
          </td>
        </tr>`;
      })}</tbody>
    </table>`
    }
    ${next && html`<button type="button" class="secondary" onClick=${() => void more(next)}>More</button>`}
  </section>`;
}

/** Asks for the note a dismissal or deletion needs, in a modal dialog, and sends it. */
function ResolveDialog({ resolving, onDone, onClose }: { resolving: Resolving; onDone: (text: string) => void; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const { kind, row } = resolving;
  const name = fileName(row.sourceKeys);
  const submit = (event: Event) => {
    event.preventDefault();
    if (!note.trim()) return setError('Say why, in a few words: it is kept in the audit log.');
    setBusy(true);
    const sent =
      kind === 'dismiss'
        ? getJson(`/documents/${row.id}/dismissal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ note }) })
        : getJson(`/documents/${row.id}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ note }) });
    sent
      .then(() => {
        dialog.current?.close();
        onDone(kind === 'dismiss' ? `${name} was dismissed; it is kept under Dismissed below.` : `${name} was deleted; the audit log keeps who, when and why.`);
      })
      .catch((problem: unknown) => {
        setBusy(false);
        setError(problemText(problem, kind === 'dismiss' ? 'it could not be dismissed' : 'it could not be deleted'));
      });
  };
  return html`<dialog ref=${dialog} class="resolve" aria-labelledby="resolve-title" onClose=${onClose}>
    <form onSubmit=${submit}>
      <h2 id="resolve-title">${kind === 'dismiss' ? `Dismiss ${name}` : `Delete ${name}`}</h2>
      <p>${
        kind === 'dismiss'
          ? 'It leaves this list and is kept: its file, what was read from it, and your note. You can put it back.'
          : 'Its file, the text read from it and its page images are deleted from this machine, and it leaves every list and count. This cannot be undone. The audit log keeps who deleted it, when and why, with its file name; never its text.'
      }</p>
      <label class="wide">Why (kept in the audit log)
        <textarea name="note" rows="3" maxlength="500" aria-required="true" value=${note} onInput=${(event: Event) => setNote((event.target as HTMLTextAreaElement).value)}></textarea>
      </label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div class="actions">
        <button type="submit" class=${kind === 'delete' ? 'danger' : 'primary'} disabled=${busy}>${kind === 'dismiss' ? 'Dismiss' : 'Delete for good'}</button>
        <button type="button" onClick=${() => dialog.current?.close()}>Cancel</button>
      </div>
    </form>
  </dialog>`;
}

/** The documents a person dismissed, with who, when and why, each put back with one button. */
function Dismissed({ version, onChanged }: { version: number; onChanged: (text: string) => void }) {
  const { rows, next, error, more } = useDocuments('dismissed=true', version);
  const [failure, setFailure] = useState<string | null>(null);
  const putBack = (row: DocumentRecord) =>
    getJson(`/documents/${row.id}/dismissal`, { method: 'DELETE' })
      .then(() => onChanged(`${fileName(row.sourceKeys)} is back on the list.`))
      .catch((problem: unknown) => setFailure(problemText(problem, 'it could not be put back')));
  return html`<details class="dismissed">
    <summary><h2>Dismissed <span class="count">${rows ? `${rows.length}${next ? '+' : ''}` : ''}</span></h2></summary>
    ${(error || failure) && html`<p class="error" role="alert">${failure ?? error}</p>`}
    ${rows && rows.length === 0 && html`<p class="empty">None.</p>`}
    ${
      rows &&
      rows.length > 0 &&
      html`<table class="problems">
      <thead><tr><th scope="col">File</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Dismissed</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${rows.map((row) => {
        const name = fileName(row.sourceKeys);
        return html`<tr key=${row.id} data-document=${row.id}>
          <td data-label="File" class="file">${name}</td>
          <td data-label="Status">${label(row.status)}</td>
          <td data-label="Reason">${reasonInWords(row.reason, fileNamesOf(row.sourceKeys)).what}</td>
          <td data-label="Dismissed">${row.dismissal && html`by ${row.dismissal.by}, ${when(row.dismissal.at)}: <q>${row.dismissal.note}</q>`}</td>
          <td class="row-actions"><button type="button" class="secondary" aria-label=${`Put back ${name}`} onClick=${() => void putBack(row)}>Put back</button></td>
        </tr>`;
      })}</tbody>
    </table>`
    }
    ${next && html`<button type="button" class="secondary" onClick=${() => void more(next)}>More</button>`}
  </details>`;
}

const ACTIONS: Record<AuditEntry['action'], string> = { dismissed: 'Dismissed', undismissed: 'Put back', deleted: 'Deleted' };

/** The audit log's newest entries: who dismissed, put back or deleted what, when and why. */
function AuditLog({ version }: { version: number }) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    getJson<Page<AuditEntry>>('/audit?limit=50')
      .then((page) => setEntries(page.data))
      .catch((problem: unknown) => setError(problemText(problem, 'could not be loaded')));
  useEffect(() => void load(), [version]);
  useOnChange(load);
  return html`<details class="audit">
    <summary><h2>Audit log</h2></summary>
    <p class="hint">Every dismissal, put-back and deletion, newest first (the API answers all of it at <code>/audit</code>).</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${entries && entries.length === 0 && html`<p class="empty">Nothing yet.</p>`}
    ${
      entries &&
      entries.length > 0 &&
      html`<table class="problems">
      <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">File</th><th scope="col">Why</th></tr></thead>
      <tbody>${entries.map(
        (entry) => html`<tr key=${`${entry.at}${entry.documentId}${entry.action}`}>
          <td data-label="When">${when(entry.at)}</td>
          <td data-label="Who">${entry.by}</td>
          <td data-label="What">${ACTIONS[entry.action]}</td>
          <td data-label="File" class="file">${entry.fileNames.join(', ')} <span class="hint">${entry.documentId.slice(0, 12)}</span></td>
          <td data-label="Why">${entry.note ?? '—'}</td>
        </tr>`,
      )}</tbody>
    </table>`
    }
  </details>`;
}

/** The problems view. */
export function Problems() {
  // Bumped by the person's own actions (and a better copy read): every list is loaded again at once.
  const [version, setVersion] = useState(0);
  const [resolving, setResolving] = useState<Resolving | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const changed = (text: string) => {
    setMessage(text);
    setVersion((count) => count + 1);
  };
  return html`<div>
    <h1>Documents that need a person</h1>
    <${Upload} onRead=${() => setVersion((count) => count + 1)} />
    <${BeingRead} />
    <p class="success" role="status">${message ?? ''}</p>
    <${List} status="FAILED" title="Could not be read" help="The file could not be opened or read. Each says why, and what to do: Retry reads it again; a better copy can be uploaded above." version=${version} onResolve=${setResolving} onRetried=${changed} />
    <${List} status="UNRECOGNIZED" title="Not an IMR Final Determination" help="The file was read, but it is not a Final Determination letter (or too little of it could be read). Open it to see its text." version=${version} onResolve=${setResolving} onRetried=${changed} />
    ${resolvable() && html`<${Dismissed} version=${version} onChanged=${changed} /><${AuditLog} version=${version} />`}
    ${resolving && html`<${ResolveDialog} key=${`${resolving.kind}-${resolving.row.id}`} resolving=${resolving} onDone=${changed} onClose=${() => setResolving(null)} />`}
  </div>`;
}
