/**
 * A growable list of 32-bit integers, and its packing into the BLOBs the workspace stores memberships in.
 */
export class IdList {
  private values = new Int32Array(4);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Int32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  toBuffer(): Buffer {
    const packed = Buffer.alloc(this.length * 4);
    for (let i = 0; i < this.length; i++) packed.writeInt32LE(this.values[i] as number, i * 4);
    return packed;
  }
}

export function unpackIds(blob: Buffer): Int32Array {
  const ids = new Int32Array(blob.length / 4);
  for (let i = 0; i < ids.length; i++) ids[i] = blob.readInt32LE(i * 4);
  return ids;
}
