/**
 * The one error type of usermig. Every failure a user can meet carries a kind (which the CLI maps to an
 * exit code) and a message written for the administrator: it names the file, line or record at fault.
 */
export type ErrorKind =
  | 'usage' // the command line is wrong
  | 'input' // a file, backup or CSV is malformed or inconsistent
  | 'unreachable' // a source or target could not be reached
  | 'auth' // a source or target refused the credentials
  | 'workspace' // the workspace is unusable (newer schema, locked, corrupt)
  | 'internal'; // a bug: the message still says what was being done

export class UsermigError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = 'UsermigError';
  }
}

export function isUsermigError(value: unknown): value is UsermigError {
  // Checked by shape as well as by class, so that errors survive duplicate copies of the package.
  return (
    value instanceof UsermigError ||
    (value instanceof Error && value.name === 'UsermigError' && typeof (value as UsermigError).kind === 'string')
  );
}

export const inputError = (message: string, cause?: unknown): UsermigError =>
  new UsermigError('input', message, { cause });
export const usageError = (message: string): UsermigError => new UsermigError('usage', message);

/** Exit codes of the command-line contract (PRODUCT.md). */
export function exitCodeFor(kind: ErrorKind): number {
  switch (kind) {
    case 'usage':
    case 'input':
    case 'workspace':
      return 2;
    case 'unreachable':
    case 'auth':
      return 3;
    case 'internal':
      return 4;
  }
}
