/**
 * Directory drift (issue 6, part 3): an LDAP (or Crowd) source that is the external directory of a
 * product's directory is compared with the product's synced copy of it — the users of that directory in
 * the product's snapshot. Drift means the product has not synchronised since the directory changed (or
 * filters some users out): a changed email makes two cloud accounts for one person, a user disabled in
 * LDAP but active in the product keeps product access. Finding `directory-drift` (warning; RULES.md
 * does not rank it), one per pair, with a subject per user: email changed, disabled in LDAP but active
 * in the product (and the reverse), missing on one side (not counted for a delegating directory, which
 * holds only the users who have logged in).
 *
 * Which product directory an LDAP source is:
 * - named in usermig.json, `externalDirectories: { "<ldap source>": ["<source>:<directory id or name>"] }`
 *   (an empty list: none), which replaces the automatic pairing for that LDAP source;
 * - otherwise every product directory whose settings (Jira's `ldap.url`, which may list several URLs,
 *   and `ldap.basedn`) name the same host and the same base DN as the LDAP source's URL, or whose users'
 *   DN (`ldap.user.dn` under `ldap.basedn`) is the LDAP source's base DN; for a Crowd
 *   source, every product directory whose `crowd.server.url` is the Crowd source's URL.
 */
import type { ExternalDirectories } from '../../config.js';
import { normaliseEmail } from '../../model/email.js';
import { usageError } from '../../model/errors.js';
import type { Finding, Subject } from '../../model/finding.js';
import type { CheckContext } from '../context.js';
import type { Estate, SourceEstate } from '../estate.js';
import { plural } from '../subjects.js';

export interface DirectoryPair {
  /** The LDAP or Crowd source. */
  ldap: SourceEstate;
  product: SourceEstate;
  directory: SourceEstate['directories'][number];
  /** How usermig knows: `configured` (usermig.json) or the matching host and base DN. */
  because: string;
}

/** The host names in an LDAP URL or a space-separated list of them, lower-cased. */
export function ldapHosts(urls: string): string[] {
  const hosts: string[] = [];
  for (const url of urls.split(/\s+/)) {
    const match = /^ldaps?:\/\/(\[[^\]]+\]|[^/:?#]+)/i.exec(url);
    if (match) hosts.push((match[1] as string).toLowerCase());
  }
  return hosts;
}

/** The base DN of an LDAP source's URL (`ldap://host:389/dc=example,dc=com`), '' when it has none. */
export function ldapBaseDn(url: string): string {
  const match = /^ldaps?:\/\/[^/?#]+\/([^?#]*)/i.exec(url);
  if (!match) return '';
  try {
    return decodeURIComponent(match[1] as string).trim();
  } catch {
    return '';
  }
}

/** A DN that compares equal for the same DN written with other case or spacing. */
export const comparableDn = (dn: string): string => dn.toLowerCase().replace(/\s*([,=+])\s*/g, '$1').trim();

/** Sources that are directories other products sync from. */
const isDirectorySource = (source: SourceEstate): boolean => source.product === 'ldap' || source.product === 'crowd';

/** The kind of directory, as messages name it. */
const directoryKind = (source: SourceEstate): string => (source.product === 'crowd' ? 'Crowd' : 'LDAP');

/**
 * A Crowd URL comparable with another: lower-case host, default port dropped, no trailing slash, and no
 * scheme (a product that reaches Crowd over http:// and usermig over https:// still name the same server,
 * as an LDAP pairing ignores ldap:// or ldaps://).
 */
export function comparableCrowdUrl(url: string): string {
  try {
    const parsed = new URL(url.trim());
    return `//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`.toLowerCase();
  } catch {
    return url.trim().replace(/^[a-z]+:/i, '').replace(/\/+$/, '').toLowerCase();
  }
}

export function pairDirectories(estate: Estate, configured?: ReadonlyMap<string, ExternalDirectories>): DirectoryPair[] {
  const ldapSources = estate.sources.filter(isDirectorySource);
  const products = estate.sources.filter((source) => !isDirectorySource(source));
  for (const [name, { setting }] of configured ?? []) {
    const source = estate.sources.find((s) => s.name === name);
    if (!source) {
      throw usageError(`${setting}: the workspace has no source named "${name}"${ldapSources.length > 0 ? ` (LDAP and Crowd sources: ${ldapSources.map((s) => s.name).join(', ')})` : ''}; scan it first or remove the setting`);
    }
    if (!isDirectorySource(source)) throw usageError(`${setting}: "${name}" is a ${source.kind} source, not an LDAP or Crowd source`);
  }
  const pairs: DirectoryPair[] = [];
  for (const ldap of ldapSources) {
    const refs = configured?.get(ldap.name);
    if (refs) {
      for (const ref of refs.directories) {
        const product = products.find((s) => s.name === ref.source);
        if (!product) {
          throw usageError(`${ref.setting}: the workspace has no product source named "${ref.source}" (sources: ${products.map((s) => s.name).join(', ') || 'none'})`);
        }
        const wanted = ref.directory.toLowerCase();
        const directory = product.directories.find((d) => d.id === ref.directory) ?? product.directories.find((d) => d.name.toLowerCase() === wanted);
        if (!directory) {
          const known = product.directories.map((d) => `${d.id} (${d.name})`).join(', ') || 'none';
          throw usageError(`${ref.setting}: ${product.name} has no directory with the id or name "${ref.directory}" (its directories: ${known})`);
        }
        pairs.push({ ldap, product, directory, because: 'usermig.json: externalDirectories' });
      }
      continue;
    }
    if (ldap.product === 'crowd') {
      const url = comparableCrowdUrl(ldap.location);
      for (const product of products) {
        for (const directory of product.directories) {
          const server = product.directoryAttributes.find((a) => a.directoryId === directory.id && a.name === 'crowd.server.url');
          if (server && comparableCrowdUrl(server.value) === url) pairs.push({ ldap, product, directory, because: `same Crowd server ${ldap.location}` });
        }
      }
      continue;
    }
    const baseDn = comparableDn(ldapBaseDn(ldap.location));
    const [host] = ldapHosts(ldap.location);
    if (!baseDn || !host) continue;
    for (const product of products) {
      for (const directory of product.directories) {
        const settings = new Map(product.directoryAttributes.filter((a) => a.directoryId === directory.id).map((a) => [a.name, a.value]));
        const url = settings.get('ldap.url');
        const productBase = settings.get('ldap.basedn');
        if (url === undefined || productBase === undefined || !ldapHosts(url).includes(host)) continue;
        // The LDAP source may name the directory's base DN, or the users' part of it (Jira's "Additional
        // User DN", ldap.user.dn, under the base DN), which is where the product's copy comes from.
        const userDn = settings.get('ldap.user.dn')?.trim();
        if (comparableDn(productBase) === baseDn) {
          pairs.push({ ldap, product, directory, because: `same host ${host} and base DN ${ldapBaseDn(ldap.location)}` });
        } else if (userDn && comparableDn(`${userDn},${productBase}`) === baseDn) {
          pairs.push({ ldap, product, directory, because: `same host ${host} and user DN ${ldapBaseDn(ldap.location)}` });
        }
      }
    }
  }
  return pairs;
}

interface Entry {
  userName: string;
  email: string;
  rawEmail: string;
  active: boolean;
}

/** The product's synced copy: every entry of the directory, effective, shadowed or in an inactive directory. */
function productCopy(product: SourceEstate, directoryId: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const add = (userName: string, rawEmail: string, active: boolean) => {
    const lower = userName.toLowerCase();
    if (!entries.has(lower)) entries.set(lower, { userName, rawEmail, email: normaliseEmail(rawEmail).normalised, active });
  };
  for (const user of product.users) if (user.directoryId === directoryId) add(user.userName, user.rawEmail, user.active);
  for (const { entry } of product.shadowed) if (entry.directoryId === directoryId) add(entry.userName, entry.email, entry.active);
  for (const entry of product.inactiveOnly) if (entry.directoryId === directoryId) add(entry.userName, entry.email, entry.active);
  return entries;
}

export function checkDirectoryDrift(estate: Estate, context?: Pick<CheckContext, 'externalDirectories'>): Finding[] {
  if (!estate.sources.some(isDirectorySource)) return [];
  const findings: Finding[] = [];
  for (const pair of pairDirectories(estate, context?.externalDirectories)) {
    const { ldap, product, directory } = pair;
    const kind = directoryKind(ldap);
    const copy = productCopy(product, directory.id);
    const p = product.name;
    // A delegating directory (internal, with LDAP authentication) holds only the users who have logged in
    // (with "copy user on login"): the others missing from it is how it works, not drift.
    const delegating = directory.type.toUpperCase() === 'DELEGATING';
    let notLoggedIn = 0;
    const counts = { email: 0, disabledInLdap: 0, disabledInProduct: 0, missingInProduct: 0, missingInLdap: 0 };
    const subjects: Subject[] = [];
    const seen = new Set<string>();
    for (const user of ldap.users) {
      seen.add(user.lowerName);
      const synced = copy.get(user.lowerName);
      if (!synced && delegating) {
        notLoggedIn++;
        continue;
      }
      if (!synced) {
        counts.missingInProduct++;
        subjects.push({ type: 'user', id: user.userName, source: ldap.name, detail: `in ${kind}${user.active ? '' : ' (disabled)'}, missing in ${p}'s copy` });
        continue;
      }
      if (user.email.normalised !== synced.email) {
        counts.email++;
        subjects.push({
          type: 'user',
          id: user.userName,
          source: ldap.name,
          detail: `email changed: ${user.rawEmail || '(none)'} in ${kind}, ${synced.rawEmail || '(none)'} in ${p}`,
        });
      }
      if (user.active !== synced.active) {
        if (user.active) counts.disabledInProduct++;
        else counts.disabledInLdap++;
        subjects.push({
          type: 'user',
          id: user.userName,
          source: ldap.name,
          detail: user.active ? `active in ${kind}, disabled in ${p}` : `disabled in ${kind}, active in ${p}`,
        });
      }
    }
    for (const [lower, entry] of copy) {
      if (seen.has(lower)) continue;
      counts.missingInLdap++;
      subjects.push({ type: 'user', id: entry.userName, source: p, detail: `in ${p}'s copy${entry.active ? '' : ' (disabled)'}, missing in ${kind}` });
    }
    if (subjects.length === 0) continue;
    const delegated =
      delegating && notLoggedIn > 0
        ? ` (${plural(notLoggedIn, 'user')} of ${kind} ${notLoggedIn === 1 ? 'is' : 'are'} not in "${directory.name}", a delegating directory, which holds only the users who have logged in: not counted as missing)`
        : '';
    const parts = [
      counts.email > 0 ? `${plural(counts.email, 'email')} changed` : '',
      counts.disabledInLdap > 0 ? `${plural(counts.disabledInLdap, 'user')} disabled in ${kind} but active in ${p}` : '',
      counts.disabledInProduct > 0 ? `${plural(counts.disabledInProduct, 'user')} active in ${kind} but disabled in ${p}` : '',
      counts.missingInProduct > 0 ? `${plural(counts.missingInProduct, 'user')} missing in ${p}` : '',
      counts.missingInLdap > 0 ? `${plural(counts.missingInLdap, 'user')} missing in ${kind}` : '',
    ].filter(Boolean);
    findings.push({
      code: 'directory-drift',
      severity: 'warning',
      message: `${ldap.name} (${kind}) differs from ${p}'s synced copy of it, the directory "${directory.name}" (${pair.because}): ${parts.join(', ')}${delegated}`,
      subjects,
      fix:
        `Synchronise the directory in ${p} (User directories › Synchronise) and scan ${p} again, or correct the entries in the directory. ` +
        `Until then a changed email makes two cloud accounts for one person, and a user disabled in ${kind} keeps ${p} access. ` +
        `A user missing in ${p} may be left out on purpose by the directory's user filter in ${p}: then nothing is wrong. ` +
        `If ${ldap.name} is not the directory behind "${directory.name}", say which it is in usermig.json: { "externalDirectories": { "${ldap.name}": [] } }.`,
    });
  }
  return findings;
}
