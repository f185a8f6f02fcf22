/** The review console: a queue of letters, one letter beside its reading, stats. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.ts';
import { getJson } from './api.ts';
import { useRoute } from './router.ts';
import { startSession, signedInAs, signOut, bearerToken } from './auth.ts';
import { Queue } from './queue.ts';
import { Letter } from './letter.ts';
import { Problems } from './problems.ts';
import { Stats } from './stats.ts';
import { useActivity } from './live.ts';

/** Most problems counted for the tab: past that it says "99+" (the count is one bounded request). */
const PROBLEM_COUNT_LIMIT = 99;

/**
 * How many documents need a person (FAILED and UNRECOGNIZED, not dismissed), asked again on each
 * change of view and each change the store commits (the live activity).
 */
function useProblemCount(route: unknown): string | null {
  const [count, setCount] = useState<string | null>(null);
  const changes = useActivity()?.changes;
  useEffect(() => {
    let live = true;
    Promise.all(
      ['FAILED', 'UNRECOGNIZED'].map((status) =>
        getJson<{ data: unknown[]; nextCursor: string | null }>(`/documents?status=${status}&dismissed=false&limit=${PROBLEM_COUNT_LIMIT}`),
      ),
    )
      .then((pages) => {
        const total = pages.reduce((sum, page) => sum + page.data.length, 0);
        const more = pages.some((page) => page.nextCursor !== null) || total > PROBLEM_COUNT_LIMIT;
        if (live) setCount(total === 0 ? null : more ? `${PROBLEM_COUNT_LIMIT}+` : String(total));
      })
      .catch(() => live && setCount(null));
    return () => {
      live = false;
    };
  }, [JSON.stringify(route), changes]);
  return count;
}

function App() {
  const route = useRoute();
  const who = signedInAs();
  const problems = useProblemCount(route);
  const link = (view: string, href: string, text: string, count: string | null = null) =>
    html`<a href=${href} aria-current=${route.view === view ? 'page' : undefined}>${text}${count && html` <span class="tab-count" aria-label=${`${count} need a person`}>${count}</span>`}</a>`;
  return html`<a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <span class="brand">IMR letters</span>
      <nav aria-label="Views">${link('queue', '#/', 'Letters')} ${link('problems', '#/problems', 'Problems', problems)} ${link('stats', '#/stats', 'Stats')}</nav>
      <span class="who">${who ? html`${who} <button type="button" class="link" onClick=${signOut}>Sign out</button>` : bearerToken() === undefined ? 'on this machine' : ''}</span>
    </header>
    <main id="main" tabindex="-1">
      ${route.view === 'queue' && html`<${Queue} />`}
      ${route.view === 'problems' && html`<${Problems} />`}
      ${route.view === 'stats' && html`<${Stats} />`}
      ${route.view === 'letter' && html`<${Letter} id=${route.id} showHistory=${route.history} />`}
    </main>`;
}

const root = document.getElementById('app')!;
startSession()
  .then(() => render(html`<${App} />`, root))
  .catch((error: unknown) => {
    root.textContent = `The console could not start: ${(error as Error).message}`;
  });
