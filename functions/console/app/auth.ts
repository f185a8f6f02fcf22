/**
 * Sign-in for a deployment behind a login: OAuth 2.0 authorization code with PKCE (RFC 7636)
 * against the Cognito hosted sign-in. Locally there is no login (`auth: null`), the service
 * being on loopback for the person who started it.
 */

/** What `/console/config.json` says about the login. */
export interface AuthConfig {
  /** `https://<prefix>.auth.<region>.amazoncognito.com` */
  readonly domain: string;
  readonly clientId: string;
  readonly redirectUri: string;
}

const TOKEN_KEY = 'imr.idToken';
const VERIFIER_KEY = 'imr.pkceVerifier';
const STATE_KEY = 'imr.pkceState';
const RETURN_KEY = 'imr.returnTo';

let config: AuthConfig | null = null;
/** On one machine: the session token the service gave this page, sent with every change (kept in memory only). */
let localSession: string | null = null;

/** The local service's session token for changes, null on AWS (the sign-in's token does that job). */
export function sessionToken(): string | null {
  return localSession;
}

/** Asks the local service for a new session (it restarted, or the old one ran out); true when one came. */
export async function renewSession(): Promise<boolean> {
  const response = await fetch('/console/config.json', { cache: 'no-store' });
  if (!response.ok) return false;
  const answer = (await response.json()) as { session?: string };
  localSession = typeof answer.session === 'string' ? answer.session : null;
  return localSession !== null;
}

function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

function randomString(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The token to send, `undefined` when the deployment has no login. */
export function bearerToken(): string | null | undefined {
  if (!config) return undefined;
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Who is signed in (the token's email), for the header; null locally. */
export function signedInAs(): string | null {
  const token = bearerToken();
  if (!token) return null;
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replaceAll('-', '+').replaceAll('_', '/'))) as { email?: string; 'cognito:username'?: string };
    return payload.email ?? payload['cognito:username'] ?? null;
  } catch {
    return null;
  }
}

/** Sends the browser to the hosted sign-in with a fresh PKCE verifier. */
export async function signIn(): Promise<never> {
  if (!config) throw new Error('this deployment has no login');
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(VERIFIER_KEY, verifier);
  sessionStorage.setItem(STATE_KEY, state);
  sessionStorage.setItem(RETURN_KEY, location.hash);
  sessionStorage.removeItem(TOKEN_KEY);
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const url = new URL('/oauth2/authorize', config.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: 'openid email',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
  return new Promise<never>(() => undefined);
}

/** Ends the session here and at the hosted sign-in. */
export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  if (!config) return;
  const url = new URL('/logout', config.domain);
  url.search = new URLSearchParams({ client_id: config.clientId, logout_uri: config.redirectUri }).toString();
  location.assign(url.toString());
}

/**
 * Reads the deployment's login settings; on the way back from the sign-in, trades the code for
 * tokens (checking `state` against what was sent). Resolves once the console may call the API.
 */
export async function startSession(): Promise<void> {
  const response = await fetch('/console/config.json', { cache: 'no-store' });
  const answer = (await response.json()) as { auth: AuthConfig | null; session?: string };
  config = answer.auth;
  localSession = typeof answer.session === 'string' ? answer.session : null;
  if (!config) return;
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (code) {
    const verifier = sessionStorage.getItem(VERIFIER_KEY);
    if (!verifier || params.get('state') !== sessionStorage.getItem(STATE_KEY))
      throw new Error('the sign-in answer does not match this browser session; sign in again');
    const token = await fetch(new URL('/oauth2/token', config.domain), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.clientId,
        code,
        redirect_uri: config.redirectUri,
        code_verifier: verifier,
      }),
    });
    if (!token.ok) throw new Error('the sign-in could not be completed; sign in again');
    // The ID token: the API's JWT authoriser checks its audience (the app client) and the
    // service records its email as the person who made a correction.
    sessionStorage.setItem(TOKEN_KEY, ((await token.json()) as { id_token: string }).id_token);
    sessionStorage.removeItem(VERIFIER_KEY);
    sessionStorage.removeItem(STATE_KEY);
    history.replaceState(null, '', `${location.pathname}${sessionStorage.getItem(RETURN_KEY) ?? ''}`);
    return;
  }
  if (!sessionStorage.getItem(TOKEN_KEY)) await signIn();
}
