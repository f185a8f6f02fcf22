/**
 * The console's static files and how they are served: the same three files locally and on
 * AWS, with a strict Content-Security-Policy (scripts and styles only from this origin, no
 * inline code, no framing) so a letter's text can never run as script in a reviewer's browser.
 */

/** The console's files by path, as built by `buildConsole`. */
export type ConsoleFiles = ReadonlyMap<string, { readonly contentType: string; readonly body: string }>;

/** What `/console/config.json` says: the login, when the deployment has one. */
export interface ConsoleConfig {
  readonly auth: { readonly domain: string; readonly clientId: string; readonly redirectUri: string } | null;
  /** On one machine: this console session's token, sent with every change (see `functions/local/request-guard.ts`). */
  readonly session?: string;
  /** On AWS: the inbox bucket's origin, where the console posts a file with a signed form (`POST /uploads`). */
  readonly uploadOrigin?: string;
}

/** The page that loads the console. */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>IMR letters: review</title>
<link rel="icon" href="/console/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/console/app.css">
<script type="module" src="/console/app.js"></script>
</head>
<body>
<div id="app"><noscript>The review console needs JavaScript.</noscript></div>
</body>
</html>
`;

/** The Content-Security-Policy of the console; `connectTo` adds the sign-in's origin, `uploadTo` the inbox bucket's (AWS). */
export function contentSecurityPolicy(connectTo: string | null, uploadTo: string | null = null): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // Page images arrive as blobs fetched with the reviewer's token.
    "img-src 'self' blob:",
    `connect-src 'self'${connectTo ? ` ${connectTo}` : ''}${uploadTo ? ` ${uploadTo}` : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every console answer carries. */
export function securityHeaders(config: ConsoleConfig): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(
      config.auth ? new URL(config.auth.domain).origin : null,
      config.uploadOrigin ? new URL(config.uploadOrigin).origin : null,
    ),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/** A console answer. */
export interface ConsoleResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Whether a path is the console's (`/`, `/index.html`, `/console/...`) rather than the API's. */
export function isConsolePath(path: string): boolean {
  return path === '/' || path === '/index.html' || path.startsWith('/console/');
}

/** Answers a GET for a console path: the page, a built file, or the deployment's login settings. */
export function serveConsole(path: string, files: ConsoleFiles, config: ConsoleConfig): ConsoleResponse {
  const headers = securityHeaders(config);
  if (path === '/' || path === '/index.html')
    return { statusCode: 200, headers: { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }, body: INDEX_HTML };
  if (path === '/console/config.json')
    return { statusCode: 200, headers: { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(config) };
  const file = files.get(path);
  if (!file)
    return {
      statusCode: 404,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ error: { code: 'NOT_FOUND', message: `no console file ${path}` } }),
    };
  return { statusCode: 200, headers: { ...headers, 'content-type': file.contentType, 'cache-control': 'no-cache' }, body: file.body };
}
