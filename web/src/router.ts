/**
 * Hash routing: `#/users?finding=email-invalid` — the part after `#` is a path and a query, so a
 * filtered table is a link one can copy, and the back button goes back to the previous filter.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Decoded path segments: `#/users/abc` → ['users', 'abc']. */
  segments: string[];
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [pathPart = '/', queryPart = ''] = hash.split('?', 2);
  const segments = pathPart.split('/').filter(Boolean).map((segment) => decodeURIComponent(segment));
  return { segments, query: new URLSearchParams(queryPart) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** `href('users', id)` → `#/users/<id>`; with a query, its non-empty values. */
export function href(...parts: Array<string | Record<string, string | undefined>>): string {
  const segments: string[] = [];
  const params = new URLSearchParams();
  for (const part of parts) {
    if (typeof part === 'string') segments.push(encodeURIComponent(part));
    else for (const [key, value] of Object.entries(part)) if (value) params.set(key, value);
  }
  const query = params.toString();
  return `#/${segments.join('/')}${query ? `?${query}` : ''}`;
}

/** Changes the address without a new history entry (typing in a search box is not navigation). */
export function replaceRoute(target: string): void {
  const url = `${window.location.pathname}${window.location.search}${target}`;
  window.history.replaceState(null, '', url);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
