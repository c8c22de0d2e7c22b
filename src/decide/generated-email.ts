/**
 * Generated replacement emails (RULES.md AS-07, OQ-04). Deterministic: the same user gets the same address
 * on every wave, computed from the template and the user alone. Placeholders: {username}, {key},
 * {source}, {domain}. The local part is cleaned to what S-02 accepts (lower case; other characters
 * become '-'); when the result collides with an address someone else keeps, the user key is added.
 */
import type { EffectiveUser } from '../assess/estate.js';
import { usageError } from '../model/errors.js';
import { isValidEmail } from '../model/email.js';

export const DEFAULT_EMAIL_TEMPLATE = '{username}@{domain}';

const cleanLocal = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9.!#$%&'*+/=?^_`{|}~-]/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .slice(0, 64)
    .replace(/\.+$/, '');

export function checkTemplate(template: string, domain: string | undefined): void {
  if (!template.includes('@')) throw usageError(`--email-template "${template}" has no @`);
  if (template.includes('{domain}') && !domain) throw usageError('generated emails need --email-domain DOMAIN (the template uses {domain})');
  if (domain && !isValidEmail(`x@${domain}`)) throw usageError(`--email-domain "${domain}" is not a valid domain`);
}

function fill(template: string, user: EffectiveUser, domain: string, withKey: boolean): string {
  const at = template.lastIndexOf('@');
  const values = (text: string) =>
    text
      .replaceAll('{username}', user.userName)
      .replaceAll('{key}', user.userKey)
      .replaceAll('{source}', user.source)
      .replaceAll('{domain}', domain);
  let local = cleanLocal(values(template.slice(0, at)));
  if (withKey) local = cleanLocal(`${local.slice(0, 63 - Math.min(40, user.userKey.length))}+${user.userKey}`);
  return `${local || cleanLocal(user.userKey) || 'user'}@${values(template.slice(at + 1)).toLowerCase()}`;
}

/**
 * The address for `user`. `taken(address)` says whether someone else keeps that address; the user key
 * then makes it unique. Throws when even that gives no valid address.
 */
export function generateEmail(user: EffectiveUser, template: string, domain: string, taken: (address: string) => boolean): string {
  let address = fill(template, user, domain, false);
  if (taken(address)) address = fill(template, user, domain, true);
  if (!isValidEmail(address)) {
    throw usageError(`the template "${template}" gives "${address}" for ${user.source}:${user.userName}, which is not a valid address`);
  }
  return address;
}
