import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateEstate } from '../src/generate/index.js';
import { openBackup } from '../src/sources/backup-file.js';
import { type JiraReadOptions, readJiraBackup } from '../src/sources/jira-backup.js';
import { rowBoundary } from '../src/sources/jira-parallel.js';
import type { ForwardingSink } from '../src/workspace/record-packing.js';
import { SNAPSHOT_TABLES } from '../src/workspace/schema.js';
import { replaceSnapshot } from '../src/workspace/snapshot-store.js';
import { openWorkspace } from '../src/workspace/workspace.js';
import { tempDir, writeZip } from './support/files.js';

// Parts this small cut a few-hundred-kilobyte backup into dozens of parts, parsed on several threads.
const PARTS: JiraReadOptions = { partBytes: 4096 };
const ONE_THREAD: JiraReadOptions = { oneThread: true };

interface Scanned {
  /** Every row of every snapshot table, the snapshot image and the stored counts, as text. */
  dump: string;
  counts: Record<string, number>;
  /** How many times the reader gave up on threads and read the document again on one. */
  restarts: number;
}

let dir: string;
let generated: string;
let generatedEntities: string;

async function entitiesOf(file: string): Promise<string> {
  const backup = await openBackup(file);
  try {
    let text = '';
    const stream = await backup.entities.open();
    stream.setEncoding('utf8');
    for await (const chunk of stream) text += chunk as string;
    return text;
  } finally {
    backup.close();
  }
}

let scans = 0;
async function scanWith(file: string, options: JiraReadOptions): Promise<Scanned> {
  const workspace = openWorkspace(path.join(dir, `ws-${scans++}`));
  let restarts = 0;
  try {
    const counts = await replaceSnapshot(workspace, { name: 'jira', kind: 'jira-backup', location: file, product: 'jira' }, (sink) => {
      const forwarding = sink as typeof sink & ForwardingSink;
      const counted = {
        ...forwarding,
        restart: () => {
          restarts++;
          return forwarding.restart();
        },
      };
      return readJiraBackup(file, counted, undefined, options);
    });
    const lines: string[] = [];
    for (const table of [...SNAPSHOT_TABLES, 'snapshot_images', 'snapshot_image_parts', 'sources']) {
      const rows = workspace.db.prepare(`SELECT * FROM ${table}`).raw().all() as unknown[][];
      lines.push(`${table}: ${rows.length}`);
      for (const row of rows) {
        lines.push(row.map((value) => (Buffer.isBuffer(value) ? value.toString('hex') : String(value))).join('|').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME'));
      }
    }
    return { dump: lines.join('\n'), counts, restarts };
  } finally {
    workspace.close();
  }
}

/** The same backup, read on one thread and in parts: the snapshots must be the same, byte for byte. */
async function expectSameSnapshot(file: string, restarts = 0): Promise<Scanned> {
  const one = await scanWith(file, ONE_THREAD);
  const parts = await scanWith(file, PARTS);
  expect(parts.restarts).toBe(restarts);
  expect(parts.counts).toEqual(one.counts);
  expect(parts.dump === one.dump).toBe(true);
  return parts;
}

beforeAll(async () => {
  dir = tempDir();
  // Enough users for an image of several parts (parts are cut by records: same records, same parts).
  const estate = await generateEstate({ users: 6000, groups: 40, memberships: 2500, seed: 5, outDir: path.join(dir, 'estate') });
  generated = estate.jiraBackup;
  generatedEntities = await entitiesOf(generated);
});

describe('reading a Jira backup in parts on several threads', () => {
  it('writes exactly the snapshot one parser writes: memberships before their users, user pickers, links across parts', async () => {
    const parts = await expectSameSnapshot(generated);
    expect(parts.counts.memberships).toBeGreaterThan(1000);
    expect(parts.dump).toMatch(/\|user-picker:/);
    expect(parts.dump).toMatch(/snapshot_image_parts: [2-9]/);
    expect(generatedEntities.length / 4096).toBeGreaterThan(20);
  });

  it('reads again on one thread what parts would read otherwise: XML 1.1, a custom field defined twice, User rows in two places', async () => {
    // XML 1.1 reads some characters otherwise (U+0085 is a line end), and only the first part has the declaration.
    const xml11 = generatedEntities.replace('<?xml version="1.0"', '<?xml version="1.1"').replace(/ displayName="([^"]*)"/g, ' displayName="$1\u0085x"');
    expect(xml11).toContain('version="1.1"');
    await expectSameSnapshot(await writeZip(path.join(dir, 'xml11.zip'), { 'entities.xml': xml11 }), 1);
    // The same custom field id twice: the later definition wins on one thread.
    const field = /\n    <CustomField [^\n]*userpicker[^\n]*\n/.exec(generatedEntities)?.[0] as string;
    expect(field).toBeDefined();
    const redefined = generatedEntities.replace(/(\n    <Issue )/, `${field.replace(/customfieldtypekey="[^"]*"/, 'customfieldtypekey="x:textfield"').trimEnd()}$1`);
    await expectSameSnapshot(await writeZip(path.join(dir, 'twice.zip'), { 'entities.xml': redefined }), 1);
    // User rows in two places: the memberships, resolved once the User rows have passed, would number names otherwise.
    const lines = generatedEntities.split('\n');
    const user = lines.findIndex((line) => line.startsWith('    <User '));
    const moved = [...lines.slice(0, user), ...lines.slice(user + 1)];
    moved.splice(moved.lastIndexOf('</entity-engine-xml>'), 0, lines[user] as string);
    await expectSameSnapshot(await writeZip(path.join(dir, 'late-user.zip'), { 'entities.xml': moved.join('\n') }), 1);
  });

  it('keeps the BOMs for the parser to see, as one thread does', async () => {
    const file = await writeZip(path.join(dir, 'boms.zip'), { 'entities.xml': `\ufeff\ufeff${generatedEntities}` });
    const message = await scanWith(file, ONE_THREAD).catch((error: Error) => error.message);
    expect(message).toMatch(/malformed XML at line 1/);
    await expect(scanWith(file, PARTS)).rejects.toThrow(message as string);
  });

  it('writes exactly the snapshot one parser writes for the real Jira 7.13.11 backup (multi-line rows, CDATA)', async () => {
    const samples = process.env.USERMIG_SAMPLES;
    if (!samples) return; // the fixture lives outside the repository; .ci/run points at it
    await expectSameSnapshot(path.join(samples, 'atlassian.net-sdk', 'TestData_7.13.11.zip'));
  });

  it('notices a cut inside CDATA that looks like rows and reads the document again on one thread', async () => {
    const fakeRows = Array.from({ length: 400 }, (_, i) => `    <Issue id="9${i}" project="1" reporter="intruder"/>`).join('\n');
    const entities = generatedEntities.replace(
      /(\n    <ChangeGroup )/,
      `\n    <Action id="777" issue="1" author="admin" type="comment"><body><![CDATA[pasted XML:\n${fakeRows}\n]]></body></Action>$1`,
    );
    expect(entities).toContain('pasted XML');
    const file = await writeZip(path.join(dir, 'cdata.zip'), { 'entities.xml': entities });
    const parts = await expectSameSnapshot(file, 1);
    expect(parts.dump).not.toContain('intruder');
  });

  it('says what is wrong with a bad row in a part, and where, as one parser says it', async () => {
    // A row without a required attribute far into the document, and a membership of a group the backup lacks.
    const lines = generatedEntities.split('\n');
    const at = lines.findIndex((line, i) => i > lines.length / 2 && line.startsWith('    <User '));
    const noName = [...lines];
    noName[at] = (noName[at] as string).replace(/ userName="[^"]*"/, '');
    const noNameFile = await writeZip(path.join(dir, 'no-name.zip'), { 'entities.xml': noName.join('\n') });
    const message = `line ${at + 1}: <User> has no userName attribute`;
    await expect(scanWith(noNameFile, ONE_THREAD)).rejects.toThrow(message);
    await expect(scanWith(noNameFile, PARTS)).rejects.toThrow(message);

    const membership = lines.findIndex((line, i) => i > 100 && line.includes('membershipType="GROUP_USER"'));
    const unknown = [...lines];
    unknown[membership] = (unknown[membership] as string).replace(/ parentName="[^"]*"/, ' parentName="no-such-group"').replace(/ lowerParentName="[^"]*"/, '');
    const unknownFile = await writeZip(path.join(dir, 'unknown-group.zip'), { 'entities.xml': unknown.join('\n') });
    const unknownMessage = `line ${membership + 1}: <Membership> names group "no-such-group"`;
    await expect(scanWith(unknownFile, ONE_THREAD)).rejects.toThrow(unknownMessage);
    await expect(scanWith(unknownFile, PARTS)).rejects.toThrow(unknownMessage);

    // A bad character in a part, with enough rows after it to fill a batch: nothing after it reaches the writer.
    const control = [...lines];
    control.splice(at + 1, 0, ...Array.from({ length: 6000 }, (_, i) => `    <ApplicationUser id="${900000 + i}" userKey="filler${i}" lowerUserName="filler${i}"/>`));
    control[at] = (control[at] as string).replace(/ displayName="/, ' displayName="\u0001');
    expect(control[at]).toContain('\u0001');
    const controlFile = await writeZip(path.join(dir, 'control.zip'), { 'entities.xml': control.join('\n') });
    const controlMessage = await scanWith(controlFile, ONE_THREAD).catch((error: Error) => error.message);
    expect(controlMessage).toMatch(/malformed XML at line \d+, column \d+: disallowed character/);
    await expect(scanWith(controlFile, { partBytes: 1 << 20 })).rejects.toThrow(controlMessage as string);

    const truncated = await writeZip(path.join(dir, 'truncated.zip'), { 'entities.xml': generatedEntities.slice(0, generatedEntities.length / 2) });
    const oneThread = await scanWith(truncated, ONE_THREAD).catch((error: Error) => error.message);
    expect(oneThread).toMatch(/truncated\.zip!entities\.xml: .*line/);
    await expect(scanWith(truncated, PARTS)).rejects.toThrow(oneThread as string);
  });
});

describe('rowBoundary', () => {
  const at = (text: string) => rowBoundary(Buffer.from(text));
  it('finds the last line that opens a row: indented, a capital letter after "<"', () => {
    const text = '<entity-engine-xml>\n    <User id="1"/>\n    <User id="2"/>\n    <Us';
    expect(at(text)).toBe(text.lastIndexOf('\n    <Us') + 1);
    expect(at('    <Issue id="1"><description>x\n        <body>y</body>\n    </Issue>\n')).toBe(-1);
    expect(at('x\n<Issue/>')).toBe(2);
    expect(at('no rows here\n</entity-engine-xml>\n')).toBe(-1);
  });
});
