/**
 * Word lists and formatting used to make generated estates look like real ones: people's names (with a
 * few non-ASCII and punctuated ones), email domains and their shares, project, space and organization
 * names, and the fixed clock every generated timestamp is derived from.
 */

/** [display form, ASCII form used in usernames and emails]. */
export const FIRST_NAMES: readonly (readonly [string, string])[] = [
  ['Alice', 'alice'], ['Bob', 'bob'], ['Carol', 'carol'], ['David', 'david'], ['Eve', 'eve'],
  ['Frank', 'frank'], ['Grace', 'grace'], ['Heidi', 'heidi'], ['Ivan', 'ivan'], ['Judy', 'judy'],
  ['Karl', 'karl'], ['Laura', 'laura'], ['Mallory', 'mallory'], ['Niaj', 'niaj'], ['Olivia', 'olivia'],
  ['Peggy', 'peggy'], ['Quentin', 'quentin'], ['Rupert', 'rupert'], ['Sybil', 'sybil'], ['Trent', 'trent'],
  ['Ursula', 'ursula'], ['Victor', 'victor'], ['Walter', 'walter'], ['Xavier', 'xavier'], ['Yvonne', 'yvonne'],
  ['Zoë', 'zoe'], ['José', 'jose'], ['Björn', 'bjorn'], ['Søren', 'soren'], ['Anaïs', 'anais'],
  ['Mei', 'mei'], ['Hiroshi', 'hiroshi'], ['Priya', 'priya'], ['Arjun', 'arjun'], ['Fatima', 'fatima'],
  ['Omar', 'omar'], ['Chloé', 'chloe'], ['Lukas', 'lukas'], ['Emma', 'emma'], ['Noah', 'noah'],
  ['Mia', 'mia'], ['Liam', 'liam'], ['Sofia', 'sofia'], ['Mateo', 'mateo'], ['Aisha', 'aisha'],
  ['Kenji', 'kenji'], ['Ingrid', 'ingrid'], ['Pavel', 'pavel'], ['Agnieszka', 'agnieszka'], ['Siobhán', 'siobhan'],
];

export const LAST_NAMES: readonly (readonly [string, string])[] = [
  ['Smith', 'smith'], ['Jones', 'jones'], ['Taylor', 'taylor'], ['Brown', 'brown'], ['Williams', 'williams'],
  ['Wilson', 'wilson'], ['Johnson', 'johnson'], ['Davies', 'davies'], ['Robinson', 'robinson'], ['Wright', 'wright'],
  ['Thompson', 'thompson'], ['Evans', 'evans'], ['Walker', 'walker'], ['White', 'white'], ['Roberts', 'roberts'],
  ['Green', 'green'], ['Hall', 'hall'], ['Wood', 'wood'], ['Jackson', 'jackson'], ['Clarke', 'clarke'],
  ["O'Brien", 'obrien'], ['Müller', 'mueller'], ['Schmidt', 'schmidt'], ['Schneider', 'schneider'], ['Fischer', 'fischer'],
  ['García', 'garcia'], ['Martínez', 'martinez'], ['Rossi', 'rossi'], ['Bianchi', 'bianchi'], ['Dubois', 'dubois'],
  ['Lefèvre', 'lefevre'], ['Nowak', 'nowak'], ['Kowalski', 'kowalski'], ['Novák', 'novak'], ['Jensen', 'jensen'],
  ['Nielsen', 'nielsen'], ['Andersson', 'andersson'], ['Tanaka', 'tanaka'], ['Suzuki', 'suzuki'], ['Kim', 'kim'],
  ['Nguyen', 'nguyen'], ['Patel', 'patel'], ['Singh', 'singh'], ['Khan', 'khan'], ['Silva', 'silva'],
  ['Santos', 'santos'], ['van der Berg', 'vanderberg'], ['De Vries', 'devries'], ['Ivanova', 'ivanova'], ['Popescu', 'popescu'],
];

/** Email domains of people and their shares (RULES: several domains, a few contractors). */
export const DOMAINS: readonly string[] = ['acme.com', 'acme.co.uk', 'corp.acme.com', 'contractor-gmbh.de'];
export const DOMAIN_WEIGHTS: readonly number[] = [70, 20, 8, 2];

export const PROJECT_NAMES: readonly string[] = [
  'Platform', 'Mobile', 'Payments', 'Search', 'Checkout', 'Identity', 'Billing', 'Analytics', 'Support', 'Infrastructure',
  'Website', 'Data Lake', 'Onboarding', 'Security', 'Compliance', 'Logistics', 'Marketing', 'Growth', 'Reporting', 'Warehouse',
];

export const SPACE_NAMES: readonly string[] = [
  'Engineering', 'Operations', 'Human Resources', 'Sales', 'Documentation', 'IT Help', 'Product', 'Design', 'Legal', 'Finance',
];

export const COMPONENT_NAMES: readonly string[] = ['Backend', 'Frontend', 'API', 'Database', 'Deployment', 'Docs'];

export const ORGANIZATION_NAMES: readonly string[] = [
  'Globex', 'Initech', 'Umbrella & Sons', 'Stark Industries', 'Wayne Enterprises', 'Soylent', 'Hooli', 'Vandelay Industries',
  'Cyberdyne', 'Tyrell <Corp>',
];

export const PAGE_TITLES: readonly string[] = [
  'Runbook', 'Onboarding guide', 'Architecture overview', 'Meeting notes', 'Release checklist', 'How-to', 'Retrospective',
  'Team charter', 'Incident report', 'FAQ',
];

/** The fixed "now" of every generated estate (2026-11-29 10:00:00 UTC). */
export const EXPORT_TIME_MS = Date.UTC(2026, 10, 29, 10, 0, 0);
/** Earliest creation time of generated rows (2012-01-01 UTC). */
export const HISTORY_START_MS = Date.UTC(2012, 0, 1, 0, 0, 0);

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, as Jira and Crowd export dates. */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
export function formatSeconds(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** Project and space keys: the initials of a name, made unique with a letter suffix. */
export function makeKey(name: string, taken: Set<string>): string {
  const words = name.toUpperCase().replace(/[^A-Z ]/g, '').split(/\s+/).filter(Boolean);
  let base = words.length > 1 ? words.map((w) => w[0]).join('') : (words[0] ?? 'X').slice(0, 3);
  if (base.length < 2) base = `${base}X`;
  let key = base;
  for (let n = 0; taken.has(key); n++) key = `${base}${lettersFor(n)}`;
  taken.add(key);
  return key;
}

/** 0 → A, 25 → Z, 26 → AA … */
export function lettersFor(index: number): string {
  let n = index;
  let text = '';
  do {
    text = String.fromCharCode(65 + (n % 26)) + text;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return text;
}
