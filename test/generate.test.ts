import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { type GenerateOptions, type GenerateResult, generateEstate } from '../src/generate/index.js';

// --- helpers ----------------------------------------------------------------------------------------

const SMALL = { users: 60, groups: 12, memberships: 200 };

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'usermig-generate-'));
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

async function generate(options: Omit<GenerateOptions, 'outDir'>): Promise<GenerateResult> {
  return generateEstate({ ...options, outDir: tempDir() });
}

/** Entry name → text, in the zip's order. */
async function readZip(file: string): Promise<Map<string, string>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const entries = new Map<string, string>();
  try {
    for await (const entry of zip.eachEntry()) {
      const stream = await zip.openReadStreamPromise(entry);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      entries.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
    }
  } finally {
    zip.close();
  }
  return entries;
}

interface ParsedElement {
  name: string;
  depth: number;
  attributes: Record<string, string>;
}

/** Every element with its depth (root = 1), in document order; throws on malformed XML. */
function parseXml(xml: string): ParsedElement[] {
  const parser = new SaxesParser();
  const elements: ParsedElement[] = [];
  let depth = 0;
  parser.on('opentag', (tag: SaxesTagPlain) => {
    depth++;
    elements.push({ name: tag.name, depth, attributes: tag.attributes as Record<string, string> });
  });
  parser.on('closetag', () => {
    depth--;
  });
  parser.on('error', (error) => {
    throw error;
  });
  parser.write(xml).close();
  return elements;
}

const countBy = <T>(items: readonly T[], key: (item: T) => string) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};

/** All numbers inside a nested counts object, with their paths. */
function leaves(value: unknown, prefix = ''): [string, number][] {
  if (typeof value === 'number') return [[prefix, value]];
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => leaves(inner, prefix ? `${prefix}.${key}` : key));
  }
  return [];
}

// --- fixtures ---------------------------------------------------------------------------------------

let first: GenerateResult;
let again: GenerateResult;
let jira: Map<string, string>;
let confluence: Map<string, string>;
const progress: [number, number][] = [];

beforeAll(async () => {
  first = await generateEstate({ ...SMALL, seed: 1, outDir: tempDir(), onProgress: (done, total) => progress.push([done, total]) });
  again = await generate({ ...SMALL, seed: 1 });
  jira = await readZip(first.jiraBackup);
  confluence = await readZip(first.confluenceBackup);
});

// --- tests ------------------------------------------------------------------------------------------

describe('generateEstate: files', () => {
  it('writes the two backups and the manifest into outDir', () => {
    const dir = path.dirname(first.jiraBackup);
    expect(fs.readdirSync(dir).sort()).toEqual(['confluence-backup.zip', 'jira-backup.zip', 'manifest.json']);
    expect([...jira.keys()]).toEqual(['entities.xml', 'activeobjects.xml']);
    expect([...confluence.keys()]).toEqual(['entities.xml']);
    expect(JSON.parse(fs.readFileSync(first.manifestFile, 'utf8'))).toEqual(first.manifest);
  });

  it('writes byte-identical files for the same options and seed', () => {
    expect(sha256(again.jiraBackup)).toBe(sha256(first.jiraBackup));
    expect(sha256(again.confluenceBackup)).toBe(sha256(first.confluenceBackup));
    expect(sha256(again.manifestFile)).toBe(sha256(first.manifestFile));
  });

  it('writes different files for another seed', async () => {
    const other = await generate({ ...SMALL, seed: 2 });
    expect(sha256(other.jiraBackup)).not.toBe(sha256(first.jiraBackup));
    expect(sha256(other.confluenceBackup)).not.toBe(sha256(first.confluenceBackup));
    expect(other.manifest.seed).toBe(2);
  });

  it('reports progress up to the total', () => {
    expect(progress.length).toBeGreaterThan(0);
    const [done, total] = progress[progress.length - 1]!;
    expect(done).toBe(total);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]);
  });

  it('refuses sizes it cannot honour', async () => {
    await expect(generate({ users: 10, groups: 12, memberships: 100, seed: 1 })).rejects.toThrow(/users/);
    await expect(generate({ users: 100, groups: 12, memberships: 100, seed: -1 })).rejects.toThrow(/seed/);
  });
});

describe('generateEstate: Jira backup', () => {
  it('has entities.xml in the entity-engine format with every element kind, grouped and sorted by name', () => {
    const elements = parseXml(jira.get('entities.xml')!);
    expect(elements[0]!.name).toBe('entity-engine-xml');
    expect(elements[0]!.attributes.date).toMatch(/^\d{13}$/);
    const rows = elements.filter((e) => e.depth === 2);
    const kinds = [...new Set(rows.map((e) => e.name))];
    for (const kind of [
      'Action', 'ApplicationUser', 'ChangeGroup', 'Component', 'CustomField', 'CustomFieldValue', 'Directory',
      'GlobalPermissionEntry', 'Group', 'Issue', 'LicenseRoleGroup', 'Membership', 'NodeAssociation', 'PermissionScheme',
      'Project', 'ProjectRole', 'ProjectRoleActor', 'SchemePermissions', 'User', 'UserAssociation', 'Worklog',
    ]) {
      expect(kinds).toContain(kind);
    }
    // Grouped: each kind is one run; sorted: the runs come in name order.
    expect(kinds).toEqual([...kinds].sort());
    const runs = rows.filter((e, i) => i === 0 || rows[i - 1]!.name !== e.name).length;
    expect(runs).toBe(kinds.length);
    // Multi-line text comes as a CDATA child element.
    expect(elements.some((e) => e.depth === 3 && e.name === 'body')).toBe(true);
  });

  it('writes users and groups with the attributes of a real export, and memberships within one directory', () => {
    const rows = parseXml(jira.get('entities.xml')!).filter((e) => e.depth === 2);
    const users = rows.filter((e) => e.name === 'User');
    expect(Object.keys(users[0]!.attributes)).toEqual([
      'id', 'directoryId', 'userName', 'lowerUserName', 'active', 'createdDate', 'updatedDate', 'firstName', 'lowerFirstName',
      'lastName', 'lowerLastName', 'displayName', 'lowerDisplayName', 'emailAddress', 'lowerEmailAddress', 'credential', 'externalId',
    ]);
    expect(users.every((u) => u.attributes.credential === '')).toBe(true);
    expect(users.some((u) => u.attributes.active === '0')).toBe(true);

    const directories = rows.filter((e) => e.name === 'Directory').map((d) => [d.attributes.id, d.attributes.position, d.attributes.active, d.attributes.type]);
    expect(directories).toEqual([
      ['1', '0', '1', 'INTERNAL'],
      ['10000', '1', '1', 'CONNECTOR'],
      ['10100', '2', '0', 'CROWD'],
    ]);

    const groupDirectory = new Map(rows.filter((e) => e.name === 'Group').map((g) => [g.attributes.id, g.attributes.directoryId]));
    const userDirectory = new Map(users.map((u) => [u.attributes.id, u.attributes.directoryId]));
    const memberships = rows.filter((e) => e.name === 'Membership');
    for (const m of memberships) {
      const a = m.attributes;
      expect(groupDirectory.get(a.parentId!)).toBe(a.directoryId);
      const childDirectory = a.membershipType === 'GROUP_USER' ? userDirectory.get(a.childId!) : groupDirectory.get(a.childId!);
      expect(childDirectory).toBe(a.directoryId);
    }
    const pairs = memberships.map((m) => `${m.attributes.membershipType}:${m.attributes.parentId}:${m.attributes.childId}`);
    expect(new Set(pairs).size).toBe(pairs.length);

    const groupNames = rows.filter((e) => e.name === 'Group').map((g) => g.attributes.groupName);
    expect(groupNames).toEqual(expect.arrayContaining(['Developers', 'developers', 'cycle-a', 'cycle-b', 'site-admins', 'engineering']));
    expect(groupNames).not.toContain('Jira Users Old');
    expect(rows.some((e) => e.name === 'SchemePermissions' && e.attributes.parameter === 'Jira Users Old')).toBe(true);
    expect(rows.some((e) => e.name === 'SchemePermissions' && e.attributes.type === 'user')).toBe(true);
    expect(rows.some((e) => e.name === 'SchemePermissions' && e.attributes.scheme === undefined)).toBe(true);
  });

  it('has JSM organizations in activeobjects.xml', () => {
    const elements = parseXml(jira.get('activeobjects.xml')!);
    expect(elements[0]!.name).toBe('backup');
    const tables = elements.filter((e) => e.name === 'data').map((e) => e.attributes.tableName);
    expect(tables).toEqual(['AO_54307E_ORGANIZATION', 'AO_54307E_ORGANIZATION_MEMBER']);
    expect(elements.filter((e) => e.name === 'row').length).toBeGreaterThan(3);
  });
});

describe('generateEstate: Confluence backup', () => {
  it('has entities.xml in the Hibernate generic format with every object class', () => {
    const elements = parseXml(confluence.get('entities.xml')!);
    expect(elements[0]!.name).toBe('hibernate-generic');
    const objects = elements.filter((e) => e.depth === 2);
    expect(objects.every((e) => e.name === 'object')).toBe(true);
    const classes = countBy(objects, (e) => e.attributes.class!);
    for (const cls of [
      'DirectoryImpl', 'ApplicationImpl', 'DirectoryMapping', 'ConfluenceUserImpl', 'InternalUser', 'InternalGroup',
      'HibernateMembership', 'Space', 'SpacePermission', 'Page', 'Comment', 'BodyContent',
    ]) {
      expect(classes.get(cls) ?? 0).toBeGreaterThan(0);
    }
  });

  it('writes the LDAP directory first although the mappings put the internal directory first', () => {
    const xml = confluence.get('entities.xml')!;
    const firstDirectory = /<object class="DirectoryImpl"[^>]*><id name="id">(\d+)<\/id><property name="name"><!\[CDATA\[([^\]]+)/.exec(xml)!;
    expect(firstDirectory[2]).toBe('Corporate LDAP');
    const mappingIds = [...xml.matchAll(/<object class="DirectoryMapping"[^>]*><id name="id">(\d+)<\/id>.*?<property name="directory"[^>]*><id name="id">(\d+)</g)];
    const collection = /<collection name="directoryMappings"[^>]*>(.*?)<\/collection>/.exec(xml)![1]!;
    const order = [...collection.matchAll(/<id name="id">(\d+)<\/id>/g)].map((m) => m[1]);
    const directoryOfMapping = new Map(mappingIds.map((m) => [m[1], m[2]]));
    expect(directoryOfMapping.get(order[0]!)).not.toBe(firstDirectory[1]);
    expect(directoryOfMapping.get(order[1]!)).toBe(firstDirectory[1]);
    const keys = [...xml.matchAll(/<object class="ConfluenceUserImpl"[^>]*><id name="key"><!\[CDATA\[([^\]]*)\]\]>/g)].map((m) => m[1]!);
    expect(keys.every((k) => /^[0-9a-f]{32}$/.test(k))).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('generateEstate: manifest', () => {
  it('holds seed, options and the expected summary and counts', () => {
    const { manifest } = first;
    expect(manifest.seed).toBe(1);
    expect(manifest.options).toEqual({ ...SMALL, seed: 1 });
    expect(Object.keys(manifest.expected.summary).sort()).toEqual(
      ['sources', 'users', 'activeUsers', 'groups', 'directMemberships', 'invalidEmails', 'duplicatedEmails', 'domains',
        'blocklistedGroups', 'nestedGroups', 'billableUsers'].sort(),
    );
    expect(Object.keys(manifest.expected.summary.billableUsers).sort()).toEqual(['confluence', 'jira-core', 'jira-servicedesk', 'jira-software']);
  });

  it('counts every kind of defect at least once in a small estate', () => {
    for (const [key, value] of leaves(first.manifest.expected.counts)) expect(value, key).toBeGreaterThanOrEqual(1);
  });

  it('counts the rows it wrote: memberships within 1 % of the request', () => {
    const counts = first.manifest.expected.counts;
    const jiraRows = parseXml(jira.get('entities.xml')!).filter((e) => e.depth === 2);
    const userMemberships = jiraRows.filter((e) => e.name === 'Membership' && e.attributes.membershipType === 'GROUP_USER').length;
    const xml = confluence.get('entities.xml')!;
    const confluenceUserMemberships = (xml.match(/<property name="userMember"/g) ?? []).length;
    expect(userMemberships + confluenceUserMemberships).toBe(counts.memberships);
    expect(Math.abs(counts.memberships - SMALL.memberships)).toBeLessThanOrEqual(SMALL.memberships * 0.01);
    const groups = jiraRows.filter((e) => e.name === 'Group').length + (xml.match(/<object class="InternalGroup"/g) ?? []).length;
    expect(groups).toBe(counts.groups);
    expect(counts.users).toBe(SMALL.users);
  });

  it('agrees with what it injected', () => {
    const { summary, counts } = first.manifest.expected;
    expect(summary.sources).toBe(2);
    expect(summary.invalidEmails).toBe(counts.jira.invalidEmails + counts.confluence.invalidEmails);
    expect(summary.duplicatedEmails).toBe(counts.jira.duplicatedAddresses + counts.confluence.duplicatedAddresses);
    expect(summary.blocklistedGroups).toBe(2);
    expect(summary.directMemberships).toBeLessThan(counts.memberships);
    expect(summary.activeUsers).toBeLessThan(summary.users);
    expect(summary.billableUsers['jira-software']).toBeGreaterThan(summary.billableUsers['jira-core']!);
  });

  it('holds every defect in the smallest estate the command line allows, and hits larger totals within 1 %', async () => {
    const tiny = await generate({ users: 20, groups: 12, memberships: 60, seed: 3 });
    for (const [key, value] of leaves(tiny.manifest.expected.counts)) expect(value, key).toBeGreaterThanOrEqual(1);
    const medium = await generate({ users: 2000, groups: 200, memberships: 20_000, seed: 4 });
    expect(Math.abs(medium.manifest.expected.counts.memberships - 20_000)).toBeLessThanOrEqual(200);
    expect(medium.manifest.expected.counts.groups).toBe(200);
  });
});
