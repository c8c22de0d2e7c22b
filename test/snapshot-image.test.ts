import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEstate } from '../src/assess/estate.js';
import { assess } from '../src/assess/index.js';
import { generateEstate } from '../src/generate/index.js';
import { scan } from '../src/scan.js';
import { loadEstate, type EstateSnapshot } from '../src/workspace/estate-loader.js';
import { openWorkspace, type Workspace } from '../src/workspace/workspace.js';
import { tempDir, writeZip } from './support/files.js';

/** Every value of the snapshot, orders included (maps as their entries, id lists as arrays). */
const exact = (snapshot: EstateSnapshot): string =>
  JSON.stringify(snapshot, (_key, value: unknown) =>
    value instanceof Map ? { map: [...value] } : value instanceof Int32Array ? { ids: [...value] } : value,
  );

/** The snapshot as the tables give it, the image set aside. */
function fromTables(workspace: Workspace): EstateSnapshot {
  workspace.db.exec('SAVEPOINT tables; UPDATE snapshot_images SET format = -1');
  try {
    return loadEstate(workspace.db);
  } finally {
    workspace.db.exec('ROLLBACK TO tables; RELEASE tables');
  }
}

// Filters (owned objects), a deleted user referenced, a renamed user's key, two directories with a shadowed user,
// referenced keys whose order differs between UTF-16 and UTF-8 (SQLite's order).
const ENTITIES = `<?xml version="1.0" encoding="UTF-8"?>
<entity-engine-xml>
    <Directory id="1" directoryName="Jira Internal Directory" active="1" type="INTERNAL" position="0"/>
    <Directory id="2" directoryName="LDAP" active="1" type="CONNECTOR" position="1"/>
    <User id="10000" directoryId="1" userName="admin" lowerUserName="admin" active="1" emailAddress="admin@example.com"/>
    <User id="10001" directoryId="2" userName="Admin" lowerUserName="admin" active="1" emailAddress="admin@ldap.example.com"/>
    <User id="10002" directoryId="2" userName="zoë" lowerUserName="zoë" active="0" emailAddress=" zoe@example.com"/>
    <User id="10003" directoryId="1" userName="li" lowerUserName="li" active="1" displayName="李雷 🚀" emailAddress="li@example.com"/>
    <ApplicationUser id="1" userKey="JIRAUSER10000" lowerUserName="admin"/>
    <ApplicationUser id="2" userKey="JIRAUSER10002" lowerUserName="zoë"/>
    <ApplicationUser id="3" userKey="gone" lowerUserName="gone"/>
    <Group id="20000" groupName="team" lowerGroupName="team" active="1" directoryId="1"/>
    <Group id="20001" groupName="Team" lowerGroupName="team" active="1" directoryId="2"/>
    <Membership id="1" parentId="20000" childId="10000" membershipType="GROUP_USER" parentName="team" childName="admin" directoryId="1"/>
    <Membership id="2" parentId="20001" childId="10002" membershipType="GROUP_USER" parentName="Team" childName="zoë" directoryId="2"/>
    <Project id="30000" key="TST" name="Test" lead="gone"/>
    <Component id="1" project="30000" name="c1" lead="ＡＢ"/>
    <Component id="2" project="30000" name="c2" lead="😀x"/>
    <Component id="3" project="30000" name="c3" lead="é"/>
    <SearchRequest id="1" name="My filter" author="JIRAUSER10002"/>
    <SearchRequest id="2" author="gone"/>
    <SearchRequest id="3" name="Admin's" author="JIRAUSER10000"/>
</entity-engine-xml>
`;

describe('the snapshot image', () => {
  let dir: string;
  let jira: string;
  let confluence: string;
  let small: string;
  beforeAll(async () => {
    dir = tempDir();
    const generated = await generateEstate({ users: 300, groups: 30, memberships: 1500, seed: 11, outDir: path.join(dir, 'estate') });
    jira = generated.jiraBackup;
    confluence = generated.confluenceBackup;
    small = await writeZip(path.join(dir, 'small.zip'), { 'entities.xml': ENTITIES });
  });

  it('gives the loader exactly what the tables give, for every source', async () => {
    const workspace = openWorkspace(path.join(dir, 'ws-equal'));
    try {
      await scan(workspace, [
        { name: 'jira', kind: 'jira-backup', location: jira, product: 'jira' },
        { name: 'confluence', kind: 'confluence-backup', location: confluence, product: 'confluence' },
        { name: 'small', kind: 'jira-backup', location: small, product: 'jira' },
      ]);
      const images = workspace.db.prepare('SELECT count(*) FROM snapshot_images').pluck().get();
      expect(images).toBe(3);
      const image = loadEstate(workspace.db);
      const tables = fromTables(workspace);
      expect(exact(image)).toBe(exact(tables));
      const smallSource = image.sources.find((s) => s.name === 'small')!;
      expect(smallSource.ownedObjects.map((o) => o.item)).toEqual(['My filter', '2', "Admin's"]);
      expect(smallSource.referencedKeys.find((r) => r.userKey === 'gone')?.example).not.toBe('');
      expect(JSON.stringify(assess(image))).toBe(JSON.stringify(assess(tables)));
    } finally {
      workspace.close();
    }
  });

  it('gives the loader exactly what the tables give when its records span several parts', async () => {
    const large = await generateEstate({ users: 9000, groups: 100, memberships: 20000, seed: 3, outDir: path.join(dir, 'large') });
    const workspace = openWorkspace(path.join(dir, 'ws-parts'));
    try {
      await scan(workspace, [{ name: 'jira', kind: 'jira-backup', location: large.jiraBackup, product: 'jira' }]);
      expect(workspace.db.prepare('SELECT count(*) FROM snapshot_image_parts').pluck().get()).toBeGreaterThan(1);
      expect(exact(loadEstate(workspace.db))).toBe(exact(fromTables(workspace)));
    } finally {
      workspace.close();
    }
  });

  it('is replaced with the snapshot: a failed re-scan leaves the previous one, and a stale one is not read', async () => {
    const workspace = openWorkspace(path.join(dir, 'ws-rescan'));
    try {
      await scan(workspace, [{ name: 'jira', kind: 'jira-backup', location: jira, product: 'jira' }]);
      const before = exact(loadEstate(workspace.db));
      const row = () => [
        workspace.db.prepare('SELECT scanned_at, records, members FROM snapshot_images').all(),
        workspace.db.prepare('SELECT part, records FROM snapshot_image_parts ORDER BY source_id, part').all(),
      ];
      const imageBefore = row();
      const broken = await writeZip(path.join(dir, 'broken.zip'), { 'entities.xml': '<entity-engine-xml><User id="1"' });
      await expect(scan(workspace, [{ name: 'jira', kind: 'jira-backup', location: broken, product: 'jira' }])).rejects.toThrow();
      expect(row()).toEqual(imageBefore);
      expect(exact(loadEstate(workspace.db))).toBe(before);

      // Another snapshot in the same source: a new image, read instead of the old one.
      await scan(workspace, [{ name: 'jira', kind: 'jira-backup', location: small, product: 'jira' }]);
      expect(row()[0]).toHaveLength(1);
      expect(row()[1]).toHaveLength(1); // the small backup's records fit in one part, the previous parts are gone
      expect(exact(loadEstate(workspace.db))).toBe(exact(fromTables(workspace)));
      const users = buildEstate(loadEstate(workspace.db)).sources[0]!.users;
      expect(users.map((u) => u.userName)).toEqual(['admin', 'li', 'zoë']);
      expect(users[1]!.displayName).toBe('李雷 🚀');

      // An image whose stamp is not the source's is never read.
      const expected = exact(loadEstate(workspace.db));
      workspace.db.prepare(`UPDATE snapshot_images SET scanned_at = 'then'`).run();
      workspace.db.prepare(`UPDATE snapshot_image_parts SET records = x'4c0164616d61676564'`).run();
      expect(exact(loadEstate(workspace.db))).toBe(expected);
    } finally {
      workspace.close();
    }
  });
});
