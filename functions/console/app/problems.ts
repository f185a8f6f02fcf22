/** Documents that did not become a reading: FAILED and UNRECOGNIZED, each with its reason and file. */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.ts';
import { getJson, download, ApiProblemError } from './api.ts';
import { fileName, label, when } from './words.ts';
import type { DocumentRecord, Page } from './types.ts';
import { Upload } from './upload.ts';

function List({ status, title, help }: { status: 'FAILED' | 'UNRECOGNIZED'; title: string; help: string }) {
  const [rows, setRows] = useState<DocumentRecord[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = (cursor: string | null) =>
    getJson<Page<DocumentRecord>>(`/documents?status=${status}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      .then((page) => {
        setRows((current) => [...(cursor ? (current ?? []) : []), ...page.data]);
        setNext(page.nextCursor);
      })
      .catch((problem: unknown) => setError(problem instanceof ApiProblemError ? problem.message : 'could not be loaded'));
  useEffect(() => void load(null), [status]);
  // Read again from the stored original (a crashed reader, a full disk, or a fixed cause); the list then says where it stands.
  const retry = (documentId: string) =>
    getJson(`/documents/${documentId}/retry`, { method: 'POST' })
      .then(() => new Promise((resolve) => setTimeout(resolve, 1500)))
      .then(() => load(null))
      .catch((problem: unknown) => setError(problem instanceof ApiProblemError ? problem.message : 'the retry could not be asked for'));
  const id = `${status.toLowerCase()}-title`;
  return html`<section aria-labelledby=${id}>
    <h2 id=${id}>${title} <span class="count">${rows ? `${rows.length}${next ? '+' : ''}` : ''}</span></h2>
    <p class="hint">${help}</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${rows && rows.length === 0 && html`<p class="empty">None.</p>`}
    ${
      rows &&
      rows.length > 0 &&
      html`<table>
      <thead><tr><th scope="col">File</th><th scope="col">Received</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${rows.map(
        (row) => html`<tr>
          <td>${status === 'UNRECOGNIZED' ? html`<a href=${`#/letters/${row.id}`}>${fileName(row.sourceKeys)}</a>` : fileName(row.sourceKeys)}</td>
          <td>${when(row.receivedAt)}</td>
          <td>${label(row.status)}</td>
          <td>${row.reason ?? '—'}</td>
          <td>${status === 'FAILED' && html`<button type="button" class="secondary" aria-label=${`Retry ${fileName(row.sourceKeys)}`} onClick=${() => void retry(row.id)}>Retry</button> `}<button type="button" class="secondary" aria-label=${`Original of ${fileName(row.sourceKeys)}`} onClick=${() => void download(`/documents/${row.id}/original`, fileName(row.sourceKeys)).catch((problem: unknown) => setError(problem instanceof ApiProblemError ? problem.message : 'the download failed'))}>Original</button></td>
        </tr>`,
      )}</tbody>
    </table>`
    }
    ${next && html`<button type="button" class="secondary" onClick=${() => void load(next)}>More</button>`}
  </section>`;
}

/** The problems view. */
export function Problems() {
  // A better copy brought in here is read like any upload; the lists are drawn again when it is read.
  const [reloads, setReloads] = useState(0);
  return html`<div>
    <h1>Documents that need a person</h1>
    <${Upload} onRead=${() => setReloads((count) => count + 1)} />
    <${List} key=${`failed-${reloads}`} status="FAILED" title="Could not be read" help="The file could not be opened or read (corrupt, encrypted, too large, a page too big, or the reader stopped). Retry reads it again; otherwise get a better copy and upload it above." />
    <${List} key=${`unrecognized-${reloads}`} status="UNRECOGNIZED" title="Not an IMR Final Determination" help="The file was read, but it is not a Final Determination letter (or too little of it could be read). Open it to see its text." />
  </div>`;
}
