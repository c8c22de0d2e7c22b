/**
 * XML text helpers for the writers: attribute escaping, CDATA sections, and a readable stream that pulls
 * lines from a generator and hands them on in ~256 KB UTF-8 chunks, so a document of any size is written
 * without ever being held in memory (backpressure comes from Readable.from).
 */
import { Readable } from 'node:stream';

const NEEDS_ESCAPE = /[&<>"\n\r\t]/;
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

/** Text for a double-quoted attribute value. */
export function attr(value: string | number): string {
  const text = String(value);
  return NEEDS_ESCAPE.test(text) ? text.replace(/[&<>"\n\r\t]/g, (c) => ESCAPES[c] ?? c) : text;
}

/** A CDATA section holding `value` exactly (a `]]>` inside is split over two sections). */
export function cdata(value: string): string {
  return `<![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

/** `name="value"` pairs; undefined values are left out, as Jira leaves out null columns. */
export function attributes(pairs: readonly (readonly [string, string | number | undefined])[]): string {
  let text = '';
  for (const [name, value] of pairs) if (value !== undefined) text += ` ${name}="${attr(value)}"`;
  return text;
}

const CHUNK_CHARS = 1 << 18;

/**
 * A byte stream of the lines `produce` yields. `onLines` is told how many lines went out with each chunk
 * (for progress).
 */
export function linesToStream(produce: () => Iterable<string>, onLines?: (lines: number) => void): Readable {
  function* chunks(): Generator<Buffer> {
    let text = '';
    let lines = 0;
    for (const line of produce()) {
      text += line;
      lines++;
      if (text.length >= CHUNK_CHARS) {
        yield Buffer.from(text, 'utf8');
        onLines?.(lines);
        text = '';
        lines = 0;
      }
    }
    if (text.length > 0 || lines > 0) {
      yield Buffer.from(text, 'utf8');
      onLines?.(lines);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
