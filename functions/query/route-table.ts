/**
 * Every route of the HTTP API, once (spec section 4). The router matches requests against it,
 * the CDK stack makes its API Gateway routes from it, and the OpenAPI document lists its paths
 * from it: a path is written here and nowhere else. Pure data, importable by the CDK app.
 */

/** The function that answers a route on AWS (locally, one process answers them all). */
export type RouteFunction = 'query' | 'pages' | 'review';

/** The methods routes answer. */
export type RouteMethod = 'GET' | 'PATCH' | 'POST' | 'DELETE';

/** One route: its method and path template (`{name}` is one path segment), and who answers it. */
export interface RouteSpec {
  /** The operation's name: the OpenAPI `operationId`, and the key of its handler. */
  readonly name: RouteName;
  readonly method: RouteMethod;
  readonly path: string;
  readonly function: RouteFunction;
  /**
   * Whether the AWS API serves it. A document is read again on AWS by uploading it again (the
   * inbox's notification), so the retry route is local only. Dismissing, deleting and their
   * audit log are local only too: on AWS the buckets keep every version for 30 days and the
   * table point-in-time backups for 35, so a delete there is not yet what it says (see the
   * README, *On one machine only*); the activity feed counts the embedded store's writes.
   */
  readonly aws: boolean;
}

/** The operations, in the order the OpenAPI document lists them. */
export const ROUTE_NAMES = [
  'listDeterminations',
  'searchLetters',
  'getDetermination',
  'correctDetermination',
  'getHistory',
  'listItems',
  'listDocuments',
  'uploadDocument',
  'createUpload',
  'getDocument',
  'getDocumentStatus',
  'retryDocument',
  'dismissDocument',
  'undismissDocument',
  'deleteDocument',
  'listAudit',
  'getActivity',
  'getDocumentText',
  'getOriginal',
  'getPageImage',
  'getPageLines',
  'getDeadlineCalendar',
  'getStats',
  'getOpenApi',
] as const;
export type RouteName = (typeof ROUTE_NAMES)[number];

/** The table. */
export const ROUTES: readonly RouteSpec[] = [
  { name: 'listDeterminations', method: 'GET', path: '/determinations', function: 'query', aws: true },
  { name: 'searchLetters', method: 'GET', path: '/search', function: 'query', aws: true },
  { name: 'getDetermination', method: 'GET', path: '/determinations/{id}', function: 'query', aws: true },
  { name: 'correctDetermination', method: 'PATCH', path: '/determinations/{id}', function: 'review', aws: true },
  { name: 'getHistory', method: 'GET', path: '/determinations/{id}/history', function: 'query', aws: true },
  { name: 'listItems', method: 'GET', path: '/items', function: 'query', aws: true },
  { name: 'listDocuments', method: 'GET', path: '/documents', function: 'query', aws: true },
  { name: 'uploadDocument', method: 'POST', path: '/documents', function: 'query', aws: false },
  { name: 'createUpload', method: 'POST', path: '/uploads', function: 'review', aws: true },
  { name: 'getDocument', method: 'GET', path: '/documents/{id}', function: 'query', aws: true },
  { name: 'getDocumentStatus', method: 'GET', path: '/documents/{id}/status', function: 'query', aws: true },
  { name: 'retryDocument', method: 'POST', path: '/documents/{id}/retry', function: 'query', aws: false },
  { name: 'dismissDocument', method: 'POST', path: '/documents/{id}/dismissal', function: 'query', aws: false },
  { name: 'undismissDocument', method: 'DELETE', path: '/documents/{id}/dismissal', function: 'query', aws: false },
  { name: 'deleteDocument', method: 'DELETE', path: '/documents/{id}', function: 'query', aws: false },
  { name: 'listAudit', method: 'GET', path: '/audit', function: 'query', aws: false },
  { name: 'getActivity', method: 'GET', path: '/activity', function: 'query', aws: false },
  { name: 'getDocumentText', method: 'GET', path: '/documents/{id}/text', function: 'query', aws: true },
  { name: 'getOriginal', method: 'GET', path: '/documents/{id}/original', function: 'query', aws: true },
  { name: 'getPageImage', method: 'GET', path: '/documents/{id}/pages/{n}', function: 'pages', aws: true },
  { name: 'getPageLines', method: 'GET', path: '/documents/{id}/pages/{n}/lines', function: 'query', aws: true },
  { name: 'getDeadlineCalendar', method: 'GET', path: '/deadlines.ics', function: 'query', aws: true },
  { name: 'getStats', method: 'GET', path: '/stats', function: 'query', aws: true },
  { name: 'getOpenApi', method: 'GET', path: '/openapi.json', function: 'query', aws: true },
];

/** What a path matched: the route and its path parameters; or the methods the path has, when none is this one. */
export type RouteMatch =
  { readonly route: RouteSpec; readonly params: Readonly<Record<string, string>> } | { readonly route: null; readonly allowed: readonly string[] };

/** Matches a request against the table: null when no route has this path. */
export function matchRoute(method: string, path: string, routes: readonly RouteSpec[] = ROUTES): RouteMatch | null {
  const segments = path.split('/').filter(Boolean);
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length ? { route: null, allowed } : null;
}

/** A path template's parameters for these segments, or null when they do not fit it. */
function matchPath(template: string, segments: readonly string[]): Record<string, string> | null {
  const parts = template.split('/').filter(Boolean);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i]!;
    if (part.startsWith('{') && part.endsWith('}')) params[part.slice(1, -1)] = segment;
    else if (part !== segment) return null;
  }
  return params;
}
