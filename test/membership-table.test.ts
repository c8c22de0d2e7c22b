import { describe, expect, it } from 'vitest';
import { CHILD_GROUP, MembershipTable, ROW_FIELDS, TableUsers, memberName, type MembershipTableData } from '../src/sources/membership-table.js';

/** Resolves every chunk as the writer does: the member's user name by slot, else the row's own name. */
function resolve(chunks: MembershipTableData[]): { names: string[]; bySlot: number } {
  const users = new TableUsers();
  const userNames: string[] = [];
  const names: string[] = [];
  let bySlot = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.userCount; i++) {
      const start = chunk.users[i * 3 + 1] as number;
      userNames.push(String.fromCharCode(...chunk.chars.subarray(start, start + (chunk.users[i * 3 + 2] as number))));
    }
    users.add(chunk);
    const slots = users.slots(chunk);
    for (let row = 0; row < chunk.rowCount; row++) {
      const at = row * ROW_FIELDS;
      const parent = chunk.parents[chunk.rows[at + 1] as number];
      const slot = slots[row] as number;
      if (slot >= 0) bySlot++;
      const member = slot >= 0 ? userNames[slot] : memberName(chunk, at);
      names.push(`${chunk.directories[chunk.rows[at] as number]}/${parent}/${chunk.rows[at + 2] === CHILD_GROUP ? 'group:' : ''}${member}`);
    }
  }
  return { names, bySlot };
}

function fill(table: MembershipTable): void {
  table.addUser(10, 'Alice');
  table.addUser(11, 'bob');
  table.add('1', 'devs', 'Alice', 10, false); // by id, same spelling
  table.add('1', 'devs', 'BOB', 11, false); // by id, another spelling: the row's own name
  table.add('1', 'devs', 'carol', 12, false); // an id that comes later
  table.addUser(12, 'carol');
  table.add('1', 'devs', 'admins', -1, true);
  table.add('2', 'devs', 'dave', -1, false); // by name, another directory
  table.addUserMember('2', 'ops', 11); // spelled as the user
  table.add('1', 'ops', 'carol', 12, false);
  table.finish();
}

describe('membership table', () => {
  it('resolves the same members whether the table comes in one chunk or in many, and never loses a row', () => {
    const whole: MembershipTableData[] = [];
    fill(new MembershipTable((chunk) => whole.push(chunk)));
    const pieces: MembershipTableData[] = [];
    fill(new MembershipTable((chunk) => pieces.push(chunk), 3));
    expect(whole).toHaveLength(1);
    expect(pieces).toHaveLength(3);
    const expected = ['1/devs/Alice', '1/devs/BOB', '1/devs/carol', '1/devs/group:admins', '2/devs/dave', '2/ops/bob', '1/ops/carol'];
    expect(resolve(whole).names).toEqual(expected);
    expect(resolve(pieces).names).toEqual(expected);
    // In one chunk every user is known when its rows are resolved; in pieces, carol's first row came
    // before her User row and falls back to the row's name (the same name).
    expect(resolve(whole).bySlot).toBe(4);
    expect(resolve(pieces).bySlot).toBe(3);
  });

  it('refuses a row that names by id a user no chunk gave', () => {
    const chunks: MembershipTableData[] = [];
    const table = new MembershipTable((chunk) => chunks.push(chunk));
    table.addUserMember('1', 'devs', 99);
    table.finish();
    const users = new TableUsers();
    users.add(chunks[0] as MembershipTableData);
    expect(() => users.slots(chunks[0] as MembershipTableData)).toThrow(/user id 99/);
  });
});
