/**
 * What keeps the console live without a reload: one poll of `GET /activity` for the whole page
 * (a counter of the store's changes, the documents being read with their pages read, how many
 * wait), every few seconds while the tab is visible and never while it is hidden. A view loads
 * its lists again only when the counter moved, in place: no flicker, the scroll and the
 * selection kept. Where the API has no activity route (AWS), the views reload every 30 s.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson, ApiProblemError } from './api.ts';

/** What `GET /activity` answers. */
export interface Activity {
  readonly changes: string;
  readonly reading: ReadonlyArray<{
    readonly id: string;
    readonly fileNames: readonly string[];
    readonly pagesRead: number;
    readonly pages: number;
    readonly startedAt: string;
    readonly at: string;
  }>;
  readonly waiting: number;
  readonly waitingMore: boolean;
}

/** How often the activity is asked for while the tab is visible. */
export const POLL_MS = 2000;
/** Without an activity route (AWS), how often the views load their lists again. */
const FALLBACK_MS = 30_000;

const listeners = new Set<(activity: Activity) => void>();
let latest: Activity | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let offered = true;
let fallbackTicks = 0;
let asking = false;

function publish(activity: Activity): void {
  latest = activity;
  for (const listener of listeners) listener(activity);
}

async function ask(): Promise<void> {
  timer = null;
  if (asking || listeners.size === 0 || document.visibilityState !== 'visible') return;
  asking = true;
  try {
    if (offered) publish(await getJson<Activity>('/activity'));
    else publish({ changes: `fallback-${++fallbackTicks}`, reading: [], waiting: 0, waitingMore: false });
  } catch (problem) {
    // No activity route here (AWS): the lists are loaded again on a slow clock instead.
    if (problem instanceof ApiProblemError && (problem.status === 404 || problem.status === 403)) offered = false;
    // Anything else (the service restarting): asked again at the next turn.
  } finally {
    asking = false;
    schedule();
  }
}

function schedule(): void {
  if (timer !== null || listeners.size === 0 || document.visibilityState !== 'visible') return;
  timer = setTimeout(() => void ask(), offered ? POLL_MS : FALLBACK_MS);
}

// Hidden, the tab asks nothing; shown again, it asks at once.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible') {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  } else if (listeners.size > 0) {
    if (timer !== null) clearTimeout(timer);
    void ask();
  }
});

/** The latest activity, drawn again each time it is asked for. */
export function useActivity(): Activity | null {
  const [activity, setActivity] = useState<Activity | null>(latest);
  useEffect(() => {
    listeners.add(setActivity);
    if (latest === null && !asking) void ask();
    else schedule();
    return () => {
      listeners.delete(setActivity);
    };
  }, []);
  return activity;
}

/**
 * Calls `reload` each time the store has changed since the view was drawn: a letter read, a
 * document failed, dismissed or deleted, a correction saved (here or in another tab). One reload
 * at a time: a change while one runs is loaded once more after it, so the last change is never
 * missed and an older answer never lands over a newer one.
 */
export function useOnChange(reload: () => Promise<unknown>): Activity | null {
  const activity = useActivity();
  const seen = useRef<string | null>(latest?.changes ?? null);
  const current = useRef(reload);
  current.current = reload;
  const state = useRef({ running: false, again: false });
  const run = () => {
    if (state.current.running) {
      state.current.again = true;
      return;
    }
    state.current.running = true;
    void current
      .current()
      .catch(() => undefined)
      .finally(() => {
        state.current.running = false;
        if (state.current.again) {
          state.current.again = false;
          run();
        }
      });
  };
  useEffect(() => {
    if (!activity) return;
    if (seen.current !== null && seen.current !== activity.changes) run();
    seen.current = activity.changes;
  }, [activity?.changes]);
  return activity;
}

/** "reading page 13 of 60" (the page being read is the one after those read). */
export function readingWords(progress: { readonly pagesRead: number; readonly pages: number }): string {
  if (progress.pagesRead >= progress.pages) return `all ${progress.pages} pages read; saving`;
  return `reading page ${progress.pagesRead + 1} of ${progress.pages}`;
}
