/**
 * The page's only door to the server: JSON over fetch, same origin, the token travels in the HttpOnly
 * cookie `usermig serve` set when its URL was opened. Every error the API answers becomes an ApiError
 * carrying the server's own message, which the pages show as it is.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/** Set when the API refused the page for want of the token; the shell then shows how to get in. */
type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export async function api<T>(path: string, init: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; body?: unknown } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(0, 'unreachable', 'The usermig server does not answer: is `usermig serve` still running?');
  }
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const error = (parsed as { error?: { kind?: string; message?: string } } | undefined)?.error;
    if (response.status === 401) for (const listener of unauthorizedListeners) listener();
    throw new ApiError(response.status, error?.kind ?? 'http', error?.message ?? `The server answered ${response.status} ${response.statusText}`.trim());
  }
  return parsed as T;
}

/** Builds `path?key=value…`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * GETs `path` whenever it changes; a late answer to an older path never overwrites a newer one. `loading` is
 * true from the first render with a new path (the data shown then is the previous path's) until its answer.
 */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ path: string | null; generation: number; data: T | undefined; error: ApiError | undefined }>({
    path: null,
    generation: -1,
    data: undefined,
    error: undefined,
  });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (path === null) return;
    const ticket = ++latest.current;
    api<T>(path).then(
      (value) => {
        if (ticket === latest.current) setState({ path, generation, data: value, error: undefined });
      },
      (failure: unknown) => {
        if (ticket !== latest.current) return;
        const error = failure instanceof ApiError ? failure : new ApiError(0, 'internal', String(failure));
        setState((previous) => ({ path, generation, data: previous.data, error }));
      },
    );
  }, [path, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const loading = path !== null && (state.path !== path || state.generation !== generation);
  return { data: state.data, error: state.error, loading, reload };
}

/** Runs a write (POST/PUT) and keeps its error and busy state for the form that triggered it. */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const run = useCallback(
    async (...args: A): Promise<T | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        return await action(...args);
      } catch (failure) {
        setError(failure instanceof ApiError ? failure : new ApiError(0, 'internal', String(failure)));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, error, clearError: () => setError(undefined) };
}
