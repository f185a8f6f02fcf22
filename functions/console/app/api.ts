/**
 * The console's only way to the service: the same HTTP API integrators use, with the
 * signed-in person's token when the deployment has a login.
 */
import { bearerToken, renewSession, sessionToken, signIn } from './auth.ts';

/** An answer of the API that was not a success, with its `{"error": {code, message}}`. */
export class ApiProblemError extends Error {
  override readonly name = 'ApiProblemError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function send(path: string, init: RequestInit = {}, renewed = false): Promise<Response> {
  const token = bearerToken();
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  // Locally every change carries the page's session token (another web page cannot read it).
  const session = sessionToken();
  if (session && init.method && init.method !== 'GET') headers.set('x-imr-session', session);
  const response = await fetch(path, { ...init, headers, cache: 'no-store' });
  if (response.status === 401 && token !== undefined) {
    // An expired or missing sign-in: back to the login, this page remembered.
    await signIn();
  }
  // The local service restarted or the session ran out: a new session, and the change sent once more.
  if (response.status === 403 && session && !renewed && response.headers.get('content-type')?.includes('json')) {
    const problem = (await response
      .clone()
      .json()
      .catch(() => null)) as { error?: { code?: string } } | null;
    if (problem?.error?.code === 'SESSION_REQUIRED' && (await renewSession())) return send(path, init, true);
  }
  if (!response.ok) {
    let code = 'HTTP_' + response.status;
    let message = response.statusText || 'the service refused the request';
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      // Not JSON (a proxy's page): the status line says enough.
    }
    throw new ApiProblemError(response.status, code, message);
  }
  return response;
}

/** GET (or another method) answering JSON. */
export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await send(path, init)).json()) as T;
}

/** GET answering text (a letter's text, a CSV). */
export async function getText(path: string): Promise<string> {
  return (await send(path)).text();
}

/** GET answering bytes (a page image, an original). */
export async function getBlob(path: string): Promise<Blob> {
  return (await send(path)).blob();
}

/**
 * Saves a file the API answers (CSV, original) under `fileName`: fetched with the token, then
 * handed to the browser's download, since a plain link could not carry the token. On AWS an
 * original is answered as a short-lived presigned link, which the browser then follows.
 */
export async function download(path: string, fileName: string): Promise<void> {
  const response = await send(path, { headers: { accept: 'application/json;q=0.9, */*;q=0.8' } });
  const blob = await response.blob();
  if (response.headers.get('content-type')?.startsWith('application/json') && blob.size < 8192) {
    const answer = JSON.parse(await blob.text()) as { url?: unknown; expiresInSeconds?: unknown };
    if (typeof answer.url === 'string' && typeof answer.expiresInSeconds === 'number') {
      save(answer.url, fileName);
      return;
    }
  }
  const url = URL.createObjectURL(blob);
  save(url, fileName);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function save(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}
