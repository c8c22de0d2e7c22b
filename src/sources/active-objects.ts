/**
 * Reads the parts of Jira's activeobjects.xml (plugin tables) that name people: JSM organizations and
 * their members. The format is `<data tableName="…"><column name="…"/>…<row><string>…</string>…</row>`.
 */
import type { SnapshotSink } from '../model/snapshot.js';
import type { BackupDocument } from './backup-file.js';
import { parseXmlStream } from './xml-stream.js';

const TABLES = new Set(['AO_54307E_ORGANIZATION', 'AO_54307E_ORGANIZATION_MEMBER']);

export async function readActiveObjects(document: BackupDocument, sink: SnapshotSink): Promise<void> {
  const organizations = new Map<string, string>();
  const members: Array<{ organizationId: string; userKey: string }> = [];
  let table: string | undefined;
  let columns: string[] = [];
  let row: string[] | undefined;
  let value: string | undefined;

  const stream = await document.open();
  await parseXmlStream(stream, document.displayName, (parser) => {
    parser.on('opentag', (tag) => {
      const name = tag.name;
      if (name === 'data') {
        const tableName = String(tag.attributes.tableName ?? '');
        table = TABLES.has(tableName) ? tableName : undefined;
        columns = [];
      } else if (!table) {
        return;
      } else if (name === 'column' && !row) {
        columns.push(String(tag.attributes.name ?? ''));
      } else if (name === 'row') {
        row = [];
      } else if (row) {
        value = '';
      }
    });
    const text = (chunk: string) => {
      if (value !== undefined) value += chunk;
    };
    parser.on('text', text);
    parser.on('cdata', text);
    parser.on('closetag', (tag) => {
      if (!table) return;
      if (tag.name === 'data') {
        table = undefined;
      } else if (tag.name === 'row' && row) {
        const record = Object.fromEntries(columns.map((column, index) => [column, row?.[index] ?? '']));
        if (table === 'AO_54307E_ORGANIZATION') organizations.set(record.ID ?? '', record.NAME ?? '');
        else if (record.USER_KEY) members.push({ organizationId: record.ORGANIZATION_ID ?? '', userKey: record.USER_KEY });
        row = undefined;
      } else if (row && value !== undefined) {
        row.push(value);
        value = undefined;
      }
    });
  }, undefined, () => sink.ready?.());

  for (const [id, name] of organizations) {
    sink.container({ kind: 'jsm-organization', key: name, name, ref: `organization:${id}` });
  }
  for (const member of members) {
    const organization = organizations.get(member.organizationId) ?? `organization ${member.organizationId}`;
    sink.reference({ userKey: member.userKey, kind: 'jsm-organization-member', container: organization, item: organization });
  }
}
