/**
 * Email normalisation and validity, exactly as RULES.md §6 S-01 and S-02 define them.
 */

export interface NormalisedEmail {
  /** The address trimmed and lower-cased; '' when missing. */
  normalised: string;
  /** True when the raw value had surrounding white space (finding `email-whitespace`). */
  hadWhitespace: boolean;
  valid: boolean;
  /** The domain part (lower case) of a valid address, else ''. */
  domain: string;
}

const LOCAL_PART = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LABEL = /^[A-Za-z]{2,63}$/;

/** S-02: is this (already trimmed) address valid? */
export function isValidEmail(address: string): boolean {
  if (address.length === 0 || address.length > 254) return false;
  const at = address.indexOf('@');
  if (at < 0 || address.indexOf('@', at + 1) >= 0) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!LOCAL_PART.test(local)) return false;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) if (!LABEL.test(label)) return false;
  return TOP_LABEL.test(labels[labels.length - 1] ?? '');
}

/** S-01 + S-02 in one pass. */
export function normaliseEmail(raw: string | null | undefined): NormalisedEmail {
  const value = raw ?? '';
  const trimmed = value.trim();
  const hadWhitespace = trimmed.length !== value.length && trimmed.length > 0;
  const normalised = trimmed.toLowerCase();
  const valid = isValidEmail(trimmed);
  return { normalised, hadWhitespace, valid, domain: valid ? normalised.slice(normalised.indexOf('@') + 1) : '' };
}
