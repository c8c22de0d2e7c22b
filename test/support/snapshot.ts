/** Builds estate snapshots in memory, for focused tests of the pure assessment. */
import type { Product } from '../../src/model/snapshot.js';
import type { EstateSnapshot, SourceSnapshot } from '../../src/workspace/estate-loader.js';

export interface SourceDraft {
  name?: string;
  product?: Product;
  directories?: Array<{ id: string; position: number; active?: boolean; name?: string }>;
  /** [directoryId, userName, email, active?] */
  users?: Array<[string, string, string, boolean?]>;
  /** [directoryId, name] */
  groups?: Array<[string, string]>;
  /** [directoryId, parent, child, childIsGroup?] */
  memberships?: Array<[string, string, string, boolean?]>;
  grants?: SourceSnapshot['grants'];
  userKeys?: Array<[string, string]>;
  referencedKeys?: SourceSnapshot['referencedKeys'];
  ownedObjects?: SourceSnapshot['ownedObjects'];
}

export function source(draft: SourceDraft): SourceSnapshot {
  const names: string[] = [];
  const ids = new Map<string, number>();
  const intern = (name: string) => {
    const lower = name.toLowerCase();
    if (!ids.has(lower)) {
      ids.set(lower, names.length);
      names.push(lower);
    }
    return ids.get(lower) as number;
  };
  const lists = new Map<string, { directoryId: string; parentId: number; users: number[]; groups: number[] }>();
  for (const [dir, parent, child, isGroup] of draft.memberships ?? []) {
    const parentId = intern(parent);
    const key = `${dir}/${parentId}`;
    const list = lists.get(key) ?? { directoryId: dir, parentId, users: [], groups: [] };
    (isGroup ? list.groups : list.users).push(intern(child));
    lists.set(key, list);
  }
  return {
    name: draft.name ?? draft.product ?? 'jira',
    product: draft.product ?? 'jira',
    kind: 'test',
    location: 'memory',
    scannedAt: '2026-11-29T00:00:00Z',
    directories: (draft.directories ?? [{ id: '1', position: 0 }]).map((d) => ({
      id: d.id,
      name: d.name ?? `directory ${d.id}`,
      position: d.position,
      active: d.active ?? true,
      type: 'INTERNAL',
    })),
    users: (draft.users ?? []).map(([dir, name, email, active]) => [dir, name, intern(name), active === false ? 0 : 1, name, email, '']),
    userKeys: new Map(draft.userKeys ?? []),
    groups: (draft.groups ?? []).map(([dir, name]) => [dir, name, intern(name)]),
    memberships: [...lists.values()].map((list) => ({ ...list, users: Int32Array.from(list.users), groups: Int32Array.from(list.groups) })),
    get nameCount() {
      return names.length;
    },
    grants: draft.grants ?? [],
    referencedKeys: draft.referencedKeys ?? [],
    ownedObjects: draft.ownedObjects ?? [],
  };
}

export const estate = (...sources: SourceDraft[]): EstateSnapshot => ({ sources: sources.map(source) });

export const groupGrant = (group: string, permission: string, scope = 'global', scopeKey = '') => ({
  subjectType: 'group' as const,
  subject: group,
  permission,
  scope,
  scopeKey,
});
