import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * What keeps other web pages away from the local service. The browser beside it visits any
 * site, and a site can make the browser send requests to loopback:
 * - DNS rebinding (a hostile name that resolves to 127.0.0.1) makes the service same-origin
 *   with the hostile page: only `Host: 127.0.0.1:PORT` or `localhost:PORT` is answered;
 * - a page's requests carry `Sec-Fetch-Site` (Chromium, Firefox, Safari): anything but
 *   same-origin, or a person's own navigation (`none`), is refused, except a top-level
 *   navigation to the console's page (a link to it is harmless: the page then runs as ours);
 * - a request that changes something (PATCH, POST, DELETE) must come from our own origin when
 *   it names one, and carry a session token that only our own pages and the data folder hold.
 */
export class RequestGuard {
  private readonly hosts: ReadonlySet<string>;
  private readonly origins: ReadonlySet<string>;
  private readonly sessions = new Map<string, number>();

  constructor(
    port: number,
    /** The token for scripts (kept 0600 in the data folder); accepted beside the console's session tokens. */
    private readonly apiToken: string,
    private readonly now: () => number = Date.now,
  ) {
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.origins = new Set([...this.hosts].map((host) => `http://${host}`));
  }

  /** A new console session's token (answered in `/console/config.json`, which no other origin can read). */
  issueSession(): string {
    const token = randomBytes(32).toString('base64url');
    this.sessions.set(token, this.now() + SESSION_MS);
    // Bounded: the oldest sessions go first.
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return token;
  }

  /**
   * Why a request is refused (status, code, message), or null when it may proceed. `headers`
   * are Node's lower-case request headers.
   */
  check(method: string, path: string, headers: Readonly<Record<string, string | string[] | undefined>>, isConsolePage: boolean): Refusal | null {
    const host = single(headers.host)?.toLowerCase();
    if (!host || !this.hosts.has(host))
      return { status: 403, code: 'FORBIDDEN_HOST', message: `this service answers only http://127.0.0.1 and http://localhost on its own port` };
    const site = single(headers['sec-fetch-site']);
    const navigation = single(headers['sec-fetch-mode']) === 'navigate' && (method === 'GET' || method === 'HEAD');
    if (site && site !== 'same-origin' && site !== 'none' && !(navigation && isConsolePage)) {
      return { status: 403, code: 'FORBIDDEN_ORIGIN', message: 'requests from other web pages are refused' };
    }
    // A WebSocket handshake carries no Sec-Fetch headers, only Origin: the service speaks no WebSocket, and a foreign Origin is refused on any method.
    if (single(headers.upgrade) !== undefined) return { status: 403, code: 'FORBIDDEN_UPGRADE', message: 'this service does not switch protocols' };
    const origin = single(headers.origin);
    if (origin !== undefined && !this.origins.has(origin))
      return { status: 403, code: 'FORBIDDEN_ORIGIN', message: 'requests from other web pages are refused' };
    if (SAFE_METHODS.has(method)) return null;
    const token = single(headers[SESSION_HEADER]);
    if (!token || !this.validToken(token)) {
      return {
        status: 403,
        code: 'SESSION_REQUIRED',
        message: `a change needs the ${SESSION_HEADER} header: the console sends its own; scripts send the token in the data folder's api-token file`,
      };
    }
    return null;
  }

  private validToken(token: string): boolean {
    if (same(token, this.apiToken)) return true;
    const expires = this.sessions.get(token);
    if (expires === undefined) return false;
    if (expires < this.now()) {
      this.sessions.delete(token);
      return false;
    }
    return true;
  }
}

/** A refused request. */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** The header a change carries its session token in (a custom header: a form or a simple request cannot send it). */
export const SESSION_HEADER = 'x-imr-session';
/** How long a console session's token is accepted: a working day and then some. */
const SESSION_MS = 12 * 60 * 60 * 1000;
/** Most console sessions held at once. */
const MAX_SESSIONS = 1000;
const SAFE_METHODS = new Set(['GET', 'HEAD']);

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

/** Compares tokens in constant time. */
function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
