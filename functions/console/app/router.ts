/** Views are addressed by the hash, so the browser's back button and bookmarks work with no server routes. */
import { useEffect, useRef, useState } from 'preact/hooks';

/** One of the console's views. */
export type Route =
  | { readonly view: 'queue' }
  | { readonly view: 'problems' }
  | { readonly view: 'stats' }
  | { readonly view: 'letter'; readonly id: string; readonly history: boolean };

/** Reads a hash such as `#/letters/<id>/history`. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  // A whole id, or its first 12 or more characters as the service prints them (the API resolves a prefix).
  if (parts[0] === 'letters' && parts[1] && /^[0-9a-f]{12,64}$/.test(parts[1])) return { view: 'letter', id: parts[1], history: parts[2] === 'history' };
  if (parts[0] === 'problems') return { view: 'problems' };
  if (parts[0] === 'stats') return { view: 'stats' };
  return { view: 'queue' };
}

/** The hash of a route. */
export function hrefOf(route: Route): string {
  if (route.view === 'letter') return `#/letters/${route.id}${route.history ? '/history' : ''}`;
  return route.view === 'queue' ? '#/' : `#/${route.view}`;
}

/** Goes to a route. */
export function go(route: Route): void {
  location.hash = hrefOf(route);
}

/** The current route, following the hash. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return route;
}

/**
 * Keyboard shortcuts of a view, ignored while the person types in a field (where Escape
 * leaves the field instead).
 */
export function useKeys(keys: Record<string, (event: KeyboardEvent) => void>): void {
  // The handlers of the latest render, always: no list of what they depend on to keep by hand.
  const latest = useRef(keys);
  latest.current = keys;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target as HTMLElement | null;
      const typing = target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable);
      if (typing) {
        if (event.key === 'Escape') target.blur();
        return;
      }
      const action = latest.current[event.key];
      if (action) {
        event.preventDefault();
        action(event);
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
}
