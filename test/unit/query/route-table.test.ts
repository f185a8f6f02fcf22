import { describe, expect, it } from 'vitest';
import { matchRoute, ROUTES } from '../../../functions/query/route-table.ts';
import { openApiDocument } from '../../../functions/query/openapi.ts';
import { route } from '../../../functions/query/routes.ts';
import type { DeterminationStore } from '../../../functions/service/ports.ts';

describe('the route table', () => {
  it('matches a path with its parameters, says which methods a known path has, and knows no other path', () => {
    expect(matchRoute('GET', '/documents/abc123/pages/4')).toMatchObject({ route: { name: 'getPageImage' }, params: { id: 'abc123', n: '4' } });
    expect(matchRoute('PATCH', '/determinations/abc')).toMatchObject({ route: { name: 'correctDetermination' }, params: { id: 'abc' } });
    expect(matchRoute('DELETE', '/determinations/abc')).toEqual({ route: null, allowed: ['GET', 'PATCH'] });
    expect(matchRoute('GET', '/determinations/abc/extra')).toBeNull();
    expect(matchRoute('GET', '/nothing')).toBeNull();
  });

  it('answers 405 naming the methods a path has, and 404 for a path no route has', async () => {
    const store = {} as DeterminationStore;
    await expect(route(store, { method: 'DELETE', path: '/determinations/abc', query: {} })).rejects.toMatchObject({
      statusCode: 405,
      message: 'DELETE is not allowed on /determinations/abc; it answers GET, PATCH',
    });
    await expect(route(store, { method: 'GET', path: '/documents/abc/retry', query: {} })).rejects.toMatchObject({ statusCode: 405 });
    await expect(route(store, { method: 'GET', path: '/letters', query: {} })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('is what the OpenAPI document lists, path for path and method for method', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, { operationId: string }>>;
    const listed = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`),
    );
    expect(listed.sort()).toEqual(ROUTES.map((spec) => `${spec.method} ${spec.path} ${spec.name}`).sort());
  });
});
