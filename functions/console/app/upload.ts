/**
 * Bringing letters in without a terminal (issue 23): a button and a drop zone on the queue,
 * several files at once, each with its progress, then its state as the service reads it, and a
 * link to the letter when it is read. Locally the bytes go to `POST /documents`; on AWS the API
 * signs a form (`POST /uploads`) and the file goes straight to the inbox bucket (the API carries
 * at most 10 MB), with the signed-in reviewer fixed in the form as who brought it.
 */
import { useRef, useState } from 'preact/hooks';
import { html } from './html.ts';
import { getJson, ApiProblemError } from './api.ts';
import { bearerToken, sessionToken } from './auth.ts';
import { reasonInWords } from './words.ts';
import { readingWords } from './live.ts';

/** One file brought in, as the person sees it. */
interface Brought {
  readonly key: number;
  readonly name: string;
  readonly percent: number;
  readonly state: 'uploading' | 'reading' | 'read' | 'failed';
  readonly id?: string;
  /** While it is read by OCR: its pages read. */
  readonly progress?: { readonly pagesRead: number; readonly pages: number };
  /** What happened, in words: the reason of a failure, or where the letters of a batch went. */
  readonly words?: string;
  /** Where to open it: a letter, or the letters of a batch in the queue. */
  readonly open?: string;
}

/** Largest file sent through the console locally (the service refuses more; the inbox folder takes any). */
const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
/** On AWS the file goes to S3, up to the largest document the service reads (Textract's limit). */
const MAX_FORM_UPLOAD_BYTES = 500 * 1024 * 1024;
/** How often a file being read is asked after. */
const POLL_MS = 1000;
/** How long it is followed: past the OCR budget a reading has ended one way or another; the queue shows it after. */
const FOLLOW_MS = 15 * 60_000;

/** Sends one file with its progress, through XMLHttpRequest: fetch says nothing of an upload's progress. */
function send(file: File, onProgress: (percent: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/documents');
    request.setRequestHeader('content-type', 'application/octet-stream');
    request.setRequestHeader('x-file-name', encodeURIComponent(file.name));
    const session = sessionToken();
    if (session) request.setRequestHeader('x-imr-session', session);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(Math.round((event.loaded / event.total) * 100));
    request.onload = () => {
      let answer: { id?: string; error?: { message?: string } } = {};
      try {
        answer = JSON.parse(request.responseText) as typeof answer;
      } catch {
        // Not JSON: the status says enough.
      }
      if (request.status === 202 && answer.id) resolve(answer.id);
      else reject(new Error(answer.error?.message ?? `the service refused the file (HTTP ${request.status})`));
    };
    request.onerror = () => reject(new Error('the service could not be reached'));
    request.send(file);
  });
}

/** The document id of a file: the SHA-256 of its bytes, as the service computes it. */
async function documentIdOf(file: File): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * On AWS: a form signed for this file (`POST /uploads`), then the file posted with it straight
 * to the inbox bucket, with its progress; answers the document id to follow.
 */
async function sendByForm(file: File, onProgress: (percent: number) => void): Promise<string> {
  const id = await documentIdOf(file);
  const signed = await getJson<{ id: string; upload: { url: string; fields: Record<string, string> } }>('/uploads', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fileName: file.name, size: file.size, sha256: id }),
  });
  const form = new FormData();
  for (const [name, value] of Object.entries(signed.upload.fields)) form.append(name, value);
  // S3 reads the fields before the file: the file goes last.
  form.append('file', file);
  await new Promise<void>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', signed.upload.url);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(Math.round((event.loaded / event.total) * 100));
    request.onload = () =>
      request.status >= 200 && request.status < 300 ? resolve() : reject(new Error(`the inbox refused the file (HTTP ${request.status})`));
    request.onerror = () => reject(new Error('the inbox could not be reached'));
    request.send(form);
  });
  return signed.id;
}

/** The upload control: a button, a drop zone and the files brought in this session. */
export function Upload({ onRead }: { onRead: () => void }) {
  const [brought, setBrought] = useState<Brought[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const counter = useRef(0);
  // Locally the page holds a session token and sends the bytes; on AWS a signed-in reviewer posts them to the inbox with a signed form.
  const byForm = !sessionToken();
  if (byForm && !bearerToken()) return null;
  const largest = byForm ? MAX_FORM_UPLOAD_BYTES : MAX_UPLOAD_BYTES;

  const update = (key: number, patch: Partial<Brought>) => setBrought((all) => all.map((one) => (one.key === key ? { ...one, ...patch } : one)));
  const follow = async (key: number, id: string, name: string) => {
    for (const until = Date.now() + FOLLOW_MS; Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      // The status: small, and with the pages read while OCR reads it.
      const document = await getJson<{ status: string; reason: string | null; progress?: Brought['progress'] }>(`/documents/${id}/status`).catch(
        (problem: unknown) => (problem instanceof ApiProblemError && problem.status === 404 ? null : Promise.reject(problem)),
      );
      if (!document || document.status === 'RECEIVED' || document.status === 'OCR_PENDING') {
        if (document?.progress) update(key, { progress: document.progress, words: readingWords(document.progress) });
        continue;
      }
      // The reason in words, with what to do: its code (CORRUPT: document: ...) is for scripts.
      if (document.status === 'FAILED') {
        const words = reasonInWords(document.reason, [name]);
        update(key, { state: 'failed', progress: undefined, words: `${words.detail || words.what} ${words.todo}` });
      } else if (document.status === 'SPLIT') update(key, { state: 'read', words: document.reason ?? 'several letters', open: '#/' });
      else update(key, { state: 'read', words: document.status === 'UNRECOGNIZED' ? 'not an IMR Final Determination' : 'read', open: `#/letters/${id}` });
      onRead();
      return;
    }
    update(key, { words: 'still being read: it will show in the letters when it is' });
  };
  const bring = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const key = ++counter.current;
      setBrought((all) => [{ key, name: file.name, percent: 0, state: 'uploading' }, ...all]);
      if (file.size > largest) {
        update(key, {
          state: 'failed',
          words: `over ${largest / 1048576} MB: ${byForm ? 'the service reads documents of at most 500 MB' : 'put it in the inbox folder instead'}`,
        });
        continue;
      }
      (byForm ? sendByForm : send)(file, (percent) => update(key, { percent }))
        .then((id) => {
          update(key, { state: 'reading', percent: 100, id });
          return follow(key, id, file.name);
        })
        .catch((problem: unknown) => update(key, { state: 'failed', words: (problem as Error).message }));
    }
  };
  return html`<section class=${`upload ${over ? 'over' : ''}`} aria-labelledby="upload-title"
      onDragOver=${(event: DragEvent) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave=${() => setOver(false)}
      onDrop=${(event: DragEvent) => {
        event.preventDefault();
        setOver(false);
        bring(event.dataTransfer?.files ?? null);
      }}>
    <h2 id="upload-title" class="visually-hidden">Bring letters in</h2>
    <p>
      <button type="button" onClick=${() => input.current?.click()}>Upload letters</button>
      <span class="hint"> or drop PDF, TIFF, image or text files here (several at once; a file may hold several letters)</span>
      <input ref=${input} type="file" multiple class="visually-hidden" aria-label="Letters to upload" accept=".pdf,.tif,.tiff,.png,.jpg,.jpeg,.txt,.json"
        onChange=${(event: Event) => {
          bring((event.target as HTMLInputElement).files);
          (event.target as HTMLInputElement).value = '';
        }} />
    </p>
    ${
      brought.length > 0 &&
      html`<ul class="brought" aria-live="polite">${brought.map(
        (one) => html`<li key=${one.key} class=${one.state}>
          <span class="name">${one.name}</span>
          ${one.state === 'uploading' && html`<progress max="100" value=${one.percent} aria-label=${`Uploading ${one.name}`}></progress> ${one.percent}%`}
          ${one.state === 'reading' && one.progress && html`<progress max=${one.progress.pages} value=${one.progress.pagesRead} aria-label=${`Pages read of ${one.name}`}></progress>`}
          ${one.state === 'reading' && html`<span class="hint">uploaded; ${one.words ?? 'being read…'}</span>`}
          ${one.state === 'read' && html`<span>${one.words}</span> ${one.open && html`<a href=${one.open}>Open</a>`}`}
          ${one.state === 'failed' && html`<span class="error">Not read: ${one.words}</span>`}
        </li>`,
      )}</ul>`
    }
  </section>`;
}
