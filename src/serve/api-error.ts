/**
 * Errors of the dashboard's API. Failures are the library's one error type (UsermigError); an API error
 * that has no CLI kind (not found, conflict) is a UsermigError carrying the API kind and status. Every
 * error answers `{"error":{"kind","message"}}`, never a stack trace.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isUsermigError, usageError, type UsermigError } from '../model/errors.js';
import type { ApiError, ApiErrorKind } from './api-types.js';

type ApiUsermigError = UsermigError & { apiKind?: ApiErrorKind; status?: ContentfulStatusCode };

const withApiKind = (error: UsermigError, apiKind: ApiErrorKind, status: ContentfulStatusCode): UsermigError =>
  Object.assign(error, { apiKind, status });

export const notFound = (message: string): UsermigError => withApiKind(usageError(message), 'not-found', 404);
export const conflict = (message: string): UsermigError => withApiKind(usageError(message), 'conflict', 409);

export const apiError = (kind: ApiErrorKind, message: string): ApiError => ({ error: { kind, message } });

/** The status and body of any error thrown while answering. */
export function errorAnswer(error: unknown): { status: ContentfulStatusCode; body: ApiError } {
  if (isUsermigError(error)) {
    const tagged = error as ApiUsermigError;
    if (tagged.apiKind && tagged.status) return { status: tagged.status, body: apiError(tagged.apiKind, error.message) };
    const status: ContentfulStatusCode = error.kind === 'usage' || error.kind === 'input' ? 400 : 500;
    return { status, body: apiError(error.kind, error.message) };
  }
  if (process.env.USERMIG_DEBUG) console.error(error);
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: apiError('internal', `internal error: ${message}`) };
}
