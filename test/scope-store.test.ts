/**
 * The scope store's record of references by container (container_refs, migration 8): every reference in
 * the container resolved_refs gives it, whatever the shape of its refs; a scope's references and a user's
 * references counted as a GROUP BY over the view counts them; rebuilt after a re-scan.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureContainerRefs, loadScopeData, loadUserReferences } from '../src/workspace/scope-store.js';
import { openWorkspace } from '../src/workspace/workspace.js';
import { tempDir } from './support/files.js';

type Row = [string, string, string, number, string];

describe('references by container', () => {
  it('puts each reference where resolved_refs does, and counts them as the view does', () => {
    const workspace = openWorkspace(path.join(tempDir(), 'ws'));
    const db = workspace.db;
    db.prepare("INSERT INTO sources (id, name, kind, location, product, scanned_at) VALUES (1, 'jira', 'jira-backup', 'x', 'jira', 't1')").run();
    db.prepare("INSERT INTO sources (id, name, kind, location, product, scanned_at) VALUES (2, 'wiki', 'confluence-backup', 'y', 'confluence', 't1')").run();
    const container = db.prepare('INSERT INTO containers VALUES (?, ?, ?, ?, ?)');
    container.run(1, 'jira-project', 'APO', 'Apollo', 'project:1');
    container.run(1, 'jira-project', 'BET', 'Beta', 'project:2');
    container.run(1, 'jsm-organization', 'Acme', 'Acme', 'organization:1');
    container.run(2, 'confluence-space', 'ENG', 'Engineering', 'space:1');
    const place = db.prepare('INSERT INTO places VALUES (?, ?, ?, ?, ?)');
    place.run(1, 'issue:10', 'project:1', '{key}-1', null);
    place.run(1, 'issue:11', 'project:2', '{key}-2', null);
    place.run(1, 'issue:007', 'project:2', '{key}-7', null); // not a canonical number: looked up by its text
    place.run(1, 'issue:7', 'project:1', '{key}-8', null);
    place.run(1, 'issue:900000000', 'project:1', '{key}-9', null); // sparse numbers
    place.run(1, 'filter', 'project:2', 'a filter', null); // no number at all
    place.run(1, 'issue:12', 'project:404', 'nowhere', null); // a container nobody recorded
    place.run(1, 'issue:13', '', 'orphan', null);
    place.run(2, 'page:1', 'space:1', 'Home', null);
    place.run(2, 'comment:5', '', 'on Home', 'page:1'); // the container of its parent
    place.run(2, 'comment:6', '', 'on nothing', 'page:404');
    const ref = db.prepare('INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?, ?)');
    const refs: Array<[number, string, string, string | null, string | null, string | null, string | null]> = [
      [1, 'ann', 'reporter', null, null, null, 'issue:10'],
      [1, 'ann', 'reporter', null, null, null, 'issue:7'],
      [1, 'ann', 'assignee', null, null, null, 'issue:11'],
      [1, 'bob', 'watcher', null, null, null, 'issue:007'],
      [1, 'bob', 'watcher', null, null, null, 'issue:900000000'],
      [1, 'bob', 'voter', null, null, null, 'filter'],
      [1, 'cid', 'reporter', null, null, null, 'issue:12'],
      [1, 'cid', 'reporter', null, null, null, 'issue:13'],
      [1, 'cid', 'reporter', null, null, null, 'issue:99'], // no such place
      [1, 'cid', 'project-lead', 'APO', null, 'APO', null], // the container as the reader recorded it
      [1, 'dan', 'project-role', null, 'project:2', 'Developers', null],
      [1, 'dan', 'jsm-organization-member', null, 'organization:1', null, null],
      [1, 'dan', 'global-permission', null, null, 'ADMINISTER', null],
      [1, 'eve', 'odd', null, 'project:404', null, null],
      [2, 'ann', 'page-creator', null, null, null, 'page:1'],
      [2, 'ann', 'comment-author', null, null, null, 'comment:5'],
      [2, 'bob', 'comment-author', null, null, null, 'comment:6'],
    ];
    for (let round = 0; round < 3; round++) for (const row of refs) ref.run(...row);

    ensureContainerRefs(db);
    const buckets = new Map<string, number[]>();
    for (const row of db.prepare('SELECT source_id, container, ref_ids FROM container_refs').all() as Array<{ source_id: number; container: string; ref_ids: string }>) {
      buckets.set(`${row.source_id}/${row.container}`, JSON.parse(row.ref_ids) as number[]);
    }
    const view = db.prepare('SELECT source_id, container, ref_id FROM resolved_refs ORDER BY ref_id').all() as Array<{ source_id: number; container: string; ref_id: number }>;
    const expected = new Map<string, number[]>();
    for (const row of view) expected.set(`${row.source_id}/${row.container}`, [...(expected.get(`${row.source_id}/${row.container}`) ?? []), row.ref_id]);
    expect(buckets).toEqual(expected);
    expect([...buckets.keys()].sort()).toEqual(['1/', '1/APO', '1/Acme', '1/BET', '2/', '2/ENG']);

    // A scope's references and a user's: the view grouped, the example the item of the first.
    const grouped = (where: string, group: string, ...params: unknown[]) =>
      (db.prepare(`SELECT user_key, kind, container, ref_id, item FROM resolved_refs WHERE ${where} ORDER BY ref_id`).raw().all(...params) as Row[]).reduce((map, [user, kind, key, , item]) => {
        const id = `${user}/${kind}/${key}`;
        const entry = map.get(id);
        if (entry) entry.count++;
        else map.set(id, { userKey: user, kind, container: key, count: 1, example: item, order: group === 'user' ? `${user}\u0000${kind}` : `${key}\u0000${kind}` });
        return map;
      }, new Map<string, { userKey: string; kind: string; container: string; count: number; example: string; order: string }>());
    const sorted = (map: ReturnType<typeof grouped>) =>
      [...map.values()].sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0)).map(({ order: _, ...row }) => row);

    const data = loadScopeData(db, { containers: (source) => (source.source === 'jira' ? ['APO', 'BET', 'Acme'] : ['ENG']) });
    const jira = data.sources.get('jira')?.references;
    expect(jira).toEqual(['APO', 'BET', 'Acme'].flatMap((key) => sorted(grouped('source_id = 1 AND container = ?', 'user', key))));
    expect(jira?.find((row) => row.container === 'APO' && row.userKey === 'ann')).toEqual({ userKey: 'ann', kind: 'reporter', container: 'APO', count: 6, example: 'APO-1' });
    expect(data.sources.get('wiki')?.references).toEqual(sorted(grouped("source_id = 2 AND container = 'ENG'", 'user')));
    for (const user of ['ann', 'bob', 'cid', 'dan', 'eve']) {
      expect(loadUserReferences(db, 'jira', [user])).toEqual(sorted(grouped('source_id = 1 AND user_key = ?', 'container', user)));
    }

    // A re-scan (a new scanned_at) rebuilds the record.
    db.prepare("DELETE FROM refs WHERE source_id = 1 AND user_key = 'ann'").run();
    db.prepare("UPDATE sources SET scanned_at = 't2' WHERE id = 1").run();
    const built: string[] = [];
    ensureContainerRefs(db, (source) => built.push(source));
    expect(built).toEqual(['jira']);
    expect(loadUserReferences(db, 'jira', ['ann'])).toEqual([]);
    expect(loadScopeData(db, { containers: () => ['APO'] }).sources.get('jira')?.references.some((row) => row.userKey === 'ann')).toBe(false);
    workspace.close();
  });
});
