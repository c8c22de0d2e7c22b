/** Messages to the administrator: an API error as the server worded it, a success, a hint. */
import type { ComponentChildren } from 'preact';
import type { ApiError } from './api';

export function ErrorNotice({ error, prefix }: { error: ApiError | undefined; prefix?: string }) {
  if (!error) return null;
  return (
    <div class="notice error" role="alert">
      {prefix ? <strong>{prefix}: </strong> : null}
      {error.message}
    </div>
  );
}

export function SuccessNotice({ children }: { children: ComponentChildren }) {
  if (!children) return null;
  return (
    <div class="notice success" role="status">
      {children}
    </div>
  );
}

export function InfoNotice({ children }: { children: ComponentChildren }) {
  return <div class="notice info">{children}</div>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}
