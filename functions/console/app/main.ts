/** The review console: a queue of letters, one letter beside its reading, stats. */
import { render } from 'preact';
import { html } from './html.ts';
import { useRoute } from './router.ts';
import { startSession, signedInAs, signOut, bearerToken } from './auth.ts';
import { Queue } from './queue.ts';
import { Letter } from './letter.ts';
import { Problems } from './problems.ts';
import { Stats } from './stats.ts';

function App() {
  const route = useRoute();
  const who = signedInAs();
  const link = (view: string, href: string, text: string) => html`<a href=${href} aria-current=${route.view === view ? 'page' : undefined}>${text}</a>`;
  return html`<a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <span class="brand">IMR letters</span>
      <nav aria-label="Views">${link('queue', '#/', 'Letters')} ${link('problems', '#/problems', 'Problems')} ${link('stats', '#/stats', 'Stats')}</nav>
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
