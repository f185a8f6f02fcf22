import { describe, expect, it } from 'vitest';
import { RequestGuard, SESSION_HEADER } from '../../../functions/local/request-guard.ts';

const PORT = 3000;
const guard = (now = () => 1_000_000) => new RequestGuard(PORT, 'script-token', now);
const own = { host: `127.0.0.1:${PORT}` };

describe('what keeps other web pages away from the local service', () => {
  it('answers only its own host names on its own port (DNS rebinding refused)', () => {
    const g = guard();
    expect(g.check('GET', '/determinations', own, false)).toBeNull();
    expect(g.check('GET', '/determinations', { host: `localhost:${PORT}` }, false)).toBeNull();
    for (const host of ['evil.example:3000', `127.0.0.1:${PORT + 1}`, 'imr-inbox', '127.0.0.1', `LOCALHOST.evil:${PORT}`]) {
      expect(g.check('GET', '/determinations', { host }, false)).toMatchObject({ status: 403, code: 'FORBIDDEN_HOST' });
    }
    expect(g.check('GET', '/determinations', {}, false)).toMatchObject({ status: 403, code: 'FORBIDDEN_HOST' });
  });

  it('refuses what another page makes the browser send, but lets a person open the console from a link', () => {
    const g = guard();
    for (const site of ['cross-site', 'same-site']) {
      expect(g.check('GET', '/determinations', { ...own, 'sec-fetch-site': site, 'sec-fetch-mode': 'cors' }, false)).toMatchObject({
        code: 'FORBIDDEN_ORIGIN',
      });
      expect(g.check('GET', '/documents/abc/original', { ...own, 'sec-fetch-site': site, 'sec-fetch-mode': 'no-cors' }, false)).toMatchObject({
        code: 'FORBIDDEN_ORIGIN',
      });
      // A navigation to an API path is refused too: only the console's page may be linked to.
      expect(g.check('GET', '/determinations', { ...own, 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate' }, false)).toMatchObject({
        code: 'FORBIDDEN_ORIGIN',
      });
      expect(g.check('GET', '/', { ...own, 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate' }, true)).toBeNull();
      expect(g.check('POST', '/', { ...own, 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate' }, true)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    }
    expect(g.check('GET', '/determinations', { ...own, 'sec-fetch-site': 'same-origin' }, false)).toBeNull();
    // A WebSocket handshake from another page carries Origin and no Sec-Fetch headers (seen in Chromium): refused, on any path.
    expect(
      g.check('GET', '/console/config.json', { ...own, origin: 'http://evil.test:18082', upgrade: 'websocket', connection: 'Upgrade' }, false),
    ).toMatchObject({ status: 403 });
    expect(g.check('GET', '/documents/abc/pages/1', { ...own, origin: 'http://evil.test:18082' }, false)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    expect(g.check('GET', '/determinations', { ...own, origin: `http://127.0.0.1:${PORT}` }, false)).toBeNull();
    expect(g.check('GET', '/determinations', { ...own, 'sec-fetch-site': 'none' }, false)).toBeNull();
  });

  it('lets a change through only from its own origin with a live session token', () => {
    let now = 1_000_000;
    const g = guard(() => now);
    const session = g.issueSession();
    expect(g.check('PATCH', '/determinations/x', { ...own, origin: `http://127.0.0.1:${PORT}`, [SESSION_HEADER]: session }, false)).toBeNull();
    expect(g.check('POST', '/documents/x/retry', { ...own, [SESSION_HEADER]: 'script-token' }, false)).toBeNull();
    expect(g.check('PATCH', '/determinations/x', { ...own, origin: 'https://evil.example', [SESSION_HEADER]: session }, false)).toMatchObject({
      code: 'FORBIDDEN_ORIGIN',
    });
    expect(g.check('PATCH', '/determinations/x', { ...own, origin: 'null', [SESSION_HEADER]: session }, false)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    expect(g.check('PATCH', '/determinations/x', own, false)).toMatchObject({ status: 403, code: 'SESSION_REQUIRED' });
    expect(g.check('DELETE', '/determinations/x', { ...own, [SESSION_HEADER]: 'guessed' }, false)).toMatchObject({ code: 'SESSION_REQUIRED' });
    expect(g.check('PATCH', '/determinations/x', { ...own, [SESSION_HEADER]: `${session}x` }, false)).toMatchObject({ code: 'SESSION_REQUIRED' });
    // A session lasts a working day, then a new page load is needed.
    now += 13 * 60 * 60 * 1000;
    expect(g.check('PATCH', '/determinations/x', { ...own, [SESSION_HEADER]: session }, false)).toMatchObject({ code: 'SESSION_REQUIRED' });
    expect(g.issueSession()).not.toBe(session);
  });
});
