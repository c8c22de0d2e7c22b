/**
 * The people of a generated estate and the parts they play: who uses Jira, Confluence or both, who sits
 * in the corporate LDAP, and which people carry which defect (invalid or duplicated email, shadowed
 * username, inactive directory, email that differs between products…). Defect roles are given to
 * disjoint sets of people so that every injected defect is counted exactly once.
 */
import { isValidEmail } from '../model/email.js';
import type { EstateSize, People } from './estate-types.js';
import { Random } from './random.js';
import { DOMAINS, DOMAIN_WEIGHTS, FIRST_NAMES, LAST_NAMES } from './vocabulary.js';

/** The smallest estate in which every kind of defect fits. */
export const MIN_USERS = 20;
/** From this size on, every sub-kind of invalid address and a duplicate triple are present too. */
const FULL_MIX_USERS = 60;

const JIRA_SHARE = 0.86;
const SHARED_SHARE = 0.6;
const LDAP_SHARE = 0.8;

export interface DuplicateSet {
  /** The person whose own address is shared. */
  first: number;
  /** People who are given that address (maybe in another letter case). */
  extras: number[];
  /** Per extra: true when its copy differs from the original in letter case only. */
  caseVariant: boolean[];
}

export interface Cast {
  /** People who have a Jira account, ascending. */
  jiraPeople: number[];
  /** People who have a Confluence account, ascending. */
  confluencePeople: number[];
  /** 1 when the person's accounts live in the corporate LDAP directory. */
  ldap: Uint8Array;
  /** Internal-directory administrators, in both products with the same name and email. */
  admins: number[];
  jira: {
    invalid: number[];
    duplicates: DuplicateSet[];
    whitespace: number[];
    shadowed: number[];
    /** Subset of `shadowed` whose LDAP copy has another email. */
    shadowedDiffer: Set<number>;
    inactiveOnly: number[];
    renamed: number[];
    /** Jira people with no defect and no special role, shuffled. */
    plain: number[];
  };
  confluence: {
    invalid: number[];
    duplicate: DuplicateSet;
    shadowed: number;
    /** A Confluence-only LDAP person, member of Confluence's `engineering`. */
    onlyInConfluence: number;
  };
  /** Shared people whose Confluence email differs from their Jira email. */
  emailMismatch: number[];
}

const capitalise = (word: string): string => (word ? word[0]!.toUpperCase() + word.slice(1) : word);

export function buildPeople(size: EstateSize): People {
  const rng = Random.derive(size.seed, 'people');
  const people: People = {
    count: size.users,
    firstName: [],
    lastName: [],
    displayName: [],
    userName: [],
    email: [],
    firstAscii: [],
    lastAscii: [],
  };
  for (let i = 0; i < size.users; i++) {
    const [first, firstAscii] = rng.pick(FIRST_NAMES);
    const [last, lastAscii] = rng.pick(LAST_NAMES);
    const number = i + 1;
    const local = `${firstAscii}.${lastAscii}${number}`;
    const capitalLocal = `${capitalise(firstAscii)}.${capitalise(lastAscii)}${number}`;
    const domain = DOMAINS[rng.weighted(DOMAIN_WEIGHTS)] ?? 'acme.com';
    people.firstName.push(first);
    people.lastName.push(last);
    people.displayName.push(`${first} ${last}`);
    people.firstAscii.push(firstAscii);
    people.lastAscii.push(lastAscii);
    people.userName.push(rng.chance(0.08) ? capitalLocal : local);
    people.email.push(`${rng.chance(0.05) ? capitalLocal : local}@${domain}`);
  }
  return people;
}

/** How many people carry each Jira defect (rates are of all people, at least one of each). */
export function jiraDefectSizes(users: number) {
  const full = users >= FULL_MIX_USERS;
  const duplicatedUsers = Math.max(full ? 5 : 2, Math.round(users * 0.005));
  return {
    invalid: Math.max(full ? 6 : 2, Math.round(users * 0.01)),
    duplicatedUsers,
    whitespace: Math.max(1, Math.round(users * 0.003)),
    disabled: Math.max(2, Math.round(users * 0.05)),
    shadowed: Math.max(2, Math.round(users * 0.01)),
    inactiveOnly: Math.max(1, Math.round(users * 0.005)),
    deleted: Math.max(1, Math.round(users * 0.003)),
    renamed: 2 + Math.floor(users / 50_000),
  };
}

export function confluenceDefectSizes(users: number) {
  return {
    invalid: Math.max(users >= FULL_MIX_USERS ? 2 : 1, Math.round(users * 0.002)),
    deleted: 2,
  };
}

/** Splits `count` duplicated users into sets: one triple first, then pairs (a second triple if odd). */
function duplicateSetSizes(count: number): number[] {
  if (count < 5) return [count];
  const sizes = [3];
  let rest = count - 3;
  if (rest % 2 === 1) {
    sizes.push(3);
    rest -= 3;
  }
  for (; rest > 0; rest -= 2) sizes.push(2);
  return sizes;
}

export function castPeople(size: EstateSize, people: People): Cast {
  const rng = Random.derive(size.seed, 'cast');
  const U = people.count;
  const jd = jiraDefectSizes(U);
  const cd = confluenceDefectSizes(U);
  const dupSizes = duplicateSetSizes(jd.duplicatedUsers);
  const dupExtras = dupSizes.reduce((sum, n) => sum + n - 1, 0);

  // Confluence-only people: the invalid ones, a duplicate, a shadowed one, one in `engineering`.
  const confOnlyCount = Math.max(U - Math.round(U * JIRA_SHARE), cd.invalid + 3);
  const jiraCount = U - confOnlyCount;
  const jiraOnlyNeeded = jd.invalid + dupExtras + jd.whitespace + jd.shadowed + jd.inactiveOnly;
  const sharedCount = Math.min(Math.round(U * SHARED_SHARE), jiraCount - jiraOnlyNeeded);
  // Shared people: three administrators, the duplicate originals, one email mismatch, two plain.
  if (sharedCount < 3 + dupSizes.length + 1 + 2) {
    throw new RangeError(`an estate needs at least ${MIN_USERS} users to hold every kind of defect`);
  }

  const order = rng.shuffle(Array.from({ length: U }, (_, i) => i));
  const shared = order.slice(0, sharedCount);
  const jiraOnly = order.slice(sharedCount, jiraCount);
  const confOnly = order.slice(jiraCount);

  const ldap = new Uint8Array(U);
  for (let p = 0; p < U; p++) ldap[p] = rng.chance(LDAP_SHARE) ? 1 : 0;

  // Shared people: three administrators, then duplicate "originals" and email mismatches.
  const admins = shared.slice(0, 3);
  for (const p of admins) ldap[p] = 0;
  const sharedPlain = shared.slice(3);
  const dupFirsts = sharedPlain.slice(0, dupSizes.length);
  const mismatchCount = Math.max(1, Math.min(Math.round(sharedCount * 0.1), sharedPlain.length - dupSizes.length - 2));
  const emailMismatch = sharedPlain.slice(dupSizes.length, dupSizes.length + mismatchCount);

  // Jira-only people carry the Jira email defects, shadowing and the inactive directory.
  let cursor = 0;
  const take = (list: number[], n: number) => {
    const taken = list.slice(cursor, cursor + n);
    cursor += n;
    return taken;
  };
  const invalid = take(jiraOnly, jd.invalid);
  const extras = take(jiraOnly, dupExtras);
  const whitespace = take(jiraOnly, jd.whitespace);
  const shadowed = take(jiraOnly, jd.shadowed);
  const inactiveOnly = take(jiraOnly, jd.inactiveOnly);
  const jiraOnlyPlain = jiraOnly.slice(cursor);
  for (const p of shadowed) ldap[p] = 0;

  const duplicates: DuplicateSet[] = [];
  let e = 0;
  dupSizes.forEach((n, index) => {
    const set: DuplicateSet = { first: dupFirsts[index]!, extras: [], caseVariant: [] };
    for (let k = 1; k < n; k++) {
      set.extras.push(extras[e++]!);
      // Every third set has a copy in another letter case (still the same address, S-01).
      set.caseVariant.push(index % 3 === 0 && k === n - 1);
    }
    duplicates.push(set);
  });

  const shadowedDiffer = new Set(shadowed.slice(0, Math.floor(shadowed.length / 2)));
  const plainPool = [...jiraOnlyPlain, ...sharedPlain.slice(dupSizes.length + mismatchCount)];
  const renamed = plainPool.slice(0, jd.renamed);
  const plain = rng.shuffle(plainPool.slice());

  // Confluence-only people carry the Confluence defects.
  cursor = 0;
  const cInvalid = take(confOnly, cd.invalid);
  const [cDupExtra] = take(confOnly, 1);
  const [cShadowed] = take(confOnly, 1);
  const [onlyInConfluence] = take(confOnly, 1);
  // The original of Confluence's duplicate keeps its own address: any plain Confluence-only person.
  const cDupFirst = confOnly[cursor] ?? onlyInConfluence;
  ldap[onlyInConfluence!] = 1;
  ldap[cShadowed!] = 0;
  // Jira's LDAP directory must hold a few ordinary users whatever the dice say.
  for (const p of plain.slice(0, 3)) ldap[p] = 1;

  const ascending = (list: number[]) => list.slice().sort((a, b) => a - b);
  return {
    jiraPeople: ascending([...shared, ...jiraOnly]),
    confluencePeople: ascending([...shared, ...confOnly]),
    ldap,
    admins,
    jira: { invalid, duplicates, whitespace, shadowed, shadowedDiffer, inactiveOnly, renamed, plain },
    confluence: {
      invalid: cInvalid,
      duplicate: { first: cDupFirst!, extras: [cDupExtra!], caseVariant: [true] },
      shadowed: cShadowed!,
      onlyInConfluence: onlyInConfluence!,
    },
    emailMismatch,
  };
}

/** The local part and domain of a person's own address. */
function splitEmail(email: string): [string, string] {
  const at = email.indexOf('@');
  return [email.slice(0, at), email.slice(at + 1)];
}

/** A valid address of the same person on another of the estate's domains. */
export function otherDomainEmail(people: People, person: number, style: 'same-local' | 'initial'): string {
  const [local, domain] = splitEmail(people.email[person]!);
  const other = DOMAINS[(DOMAINS.indexOf(domain.toLowerCase()) + 1) % DOMAINS.length]!;
  const initialLocal = `${people.firstAscii[person]![0]}${people.lastAscii[person]}${person + 1}`;
  return `${style === 'same-local' ? local.toLowerCase() : initialLocal}@${other}`;
}

/** The same address in another letter case. */
export function caseVariant(email: string): string {
  const [local, domain] = splitEmail(email);
  return `${local === local.toLowerCase() ? capitalise(local) : local.toLowerCase()}@${domain.toUpperCase()}`;
}

/** Invalid addresses (S-02), one kind per index modulo 6: empty, `user@`, `name@host`, `a..b@…`, 65-char local part, two `@`. */
export function invalidJiraEmail(people: People, person: number, kind: number): string {
  const [local, domain] = splitEmail(people.email[person]!.toLowerCase());
  let email: string;
  switch (kind % 6) {
    case 0:
      email = '';
      break;
    case 1:
      email = `${local}@`;
      break;
    case 2:
      email = `${local}@mailhost`;
      break;
    case 3:
      email = `${people.firstAscii[person]}..${people.lastAscii[person]}${person + 1}@${domain}`;
      break;
    case 4:
      email = `${`${local}.`.padEnd(65, 'x')}@${domain}`;
      break;
    default:
      email = `${local}@${domain}@acme.co.uk`;
  }
  return assertInvalid(email);
}

/** Invalid addresses for Confluence accounts. */
export function invalidConfluenceEmail(people: People, person: number, kind: number): string {
  const [local] = splitEmail(people.email[person]!.toLowerCase());
  const options = [`${local}@`, `${local}@localhost`, '', `${local} at acme.com`];
  return assertInvalid(options[kind % options.length]!);
}

function assertInvalid(email: string): string {
  if (isValidEmail(email.trim())) throw new Error(`generator bug: ${JSON.stringify(email)} is valid`);
  return email;
}
