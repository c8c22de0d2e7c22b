/**
 * A growable list of 32-bit integers, and its packing into the BLOBs the workspace stores memberships in.
 */
/** Whether this machine stores integers little-endian, as the packing does. */
export const LITTLE_ENDIAN = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;

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

  /** The values pushed so far (a view: valid until the next push). */
  view(): Int32Array {
    return this.values.subarray(0, this.length);
  }

  toBuffer(): Buffer {
    if (LITTLE_ENDIAN) return Buffer.from(this.values.buffer.slice(0, this.length * 4));
    const packed = Buffer.alloc(this.length * 4);
    for (let i = 0; i < this.length; i++) packed.writeInt32LE(this.values[i] as number, i * 4);
    return packed;
  }
}

export function unpackIds(blob: Buffer): Int32Array {
  // The packing is this machine's own on little-endian hosts: one copy of the bytes does.
  if (LITTLE_ENDIAN) return new Int32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.length - (blob.length % 4)));
  const ids = new Int32Array(blob.length / 4);
  for (let i = 0; i < ids.length; i++) ids[i] = blob.readInt32LE(i * 4);
  return ids;
}
