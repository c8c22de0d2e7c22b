/**
 * Lists of integer lists (group members as account indexes) stored as two BLOBs: every list's values one
 * after the other, and where each list starts. Read back as views, without parsing a number.
 */
import { IdList, unpackIds } from './id-list.js';

export function packLists(lists: ReadonlyArray<ArrayLike<number>>): { values: Buffer; offsets: Buffer } {
  const values = new IdList();
  const offsets = new IdList();
  offsets.push(0);
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) values.push(list[i] as number);
    offsets.push(values.length);
  }
  return { values: values.toBuffer(), offsets: offsets.toBuffer() };
}

export function unpackLists(values: Buffer, offsets: Buffer): Int32Array[] {
  const all = unpackIds(values);
  const starts = unpackIds(offsets);
  const lists: Int32Array[] = [];
  for (let i = 0; i + 1 < starts.length; i++) lists.push(all.subarray(starts[i] as number, starts[i + 1] as number));
  return lists;
}
