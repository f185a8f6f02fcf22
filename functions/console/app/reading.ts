/** The documents being read now, each with its pages read, and how many wait: from the live activity. */
import { html } from './html.ts';
import { readingWords, useActivity } from './live.ts';

/** A panel over a list: nothing when nothing is being read or waits. */
export function BeingRead() {
  const activity = useActivity();
  if (!activity || (activity.reading.length === 0 && activity.waiting === 0)) return null;
  return html`<section class="being-read" aria-labelledby="being-read-title">
    <h2 id="being-read-title">Being read</h2>
    ${
      activity.reading.length > 0 &&
      html`<ul>${activity.reading.map((one) => {
        const name = one.fileNames[0] ?? one.id.slice(0, 12);
        return html`<li key=${one.id} data-document=${one.id}>
          <span class="name">${name}</span>
          <progress max=${one.pages} value=${one.pagesRead} aria-label=${`Pages read of ${name}`}></progress>
          <span class="words">${readingWords(one)}</span>
        </li>`;
      })}</ul>`
    }
    ${activity.waiting > 0 && html`<p class="hint">${activity.waiting}${activity.waitingMore ? '+' : ''} ${activity.reading.length > 0 ? 'more ' : ''}waiting to be read</p>`}
  </section>`;
}
