/**
 * Streams an XML document through saxes and turns parser failures into input errors that name the file,
 * line and column. Readers register element handlers; nothing is kept beyond what they keep.
 */
import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { inputError, isUsermigError } from '../model/errors.js';

export type XmlParser = SaxesParser<{ position: true }>;
export type XmlTag = SaxesTagPlain;

/** Feeds `stream` to a parser set up by `setup`; rejects with a located input error. */
export async function parseXmlStream(
  stream: Readable,
  displayName: string,
  setup: (parser: XmlParser) => void,
  onProgress?: (bytes: number) => void,
  ready?: () => Promise<void> | undefined,
): Promise<void> {
  const parser: XmlParser = new SaxesParser({ position: true, fileName: displayName });
  let failure: Error | undefined;
  let elementSeen = false;
  parser.on('error', (error) => {
    failure ??= error;
  });
  setup(parser);
  parser.on('opentagstart', () => {
    elementSeen = true;
    parser.off('opentagstart'); // one is enough: spare the call on every element
  });
  stream.setEncoding('utf8');
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      const text = chunk as string;
      parser.write(text);
      if (failure) break;
      bytes += text.length;
      onProgress?.(bytes);
      const busy = ready?.();
      if (busy) await busy;
    }
    if (!failure) parser.close();
  } catch (error) {
    // A parser error comes first: a handler may have thrown only because the XML was already broken.
    if (isUsermigError(error) && !failure) {
      stream.destroy();
      throw error;
    }
    failure ??= error as Error;
  }
  if (failure) {
    stream.destroy();
    if (isUsermigError(failure)) throw failure;
    if (isDamage(failure)) {
      throw inputError(`${displayName}: the file is truncated or damaged near line ${parser.line} (${failure.message.replace(/\r?\n/g, ' ')})`, failure);
    }
    if (!elementSeen) throw inputError(`${displayName}: not an XML backup (no XML element at the start of the file)`, failure);
    throw describeFailure(failure, parser, displayName);
  }
}

/** zlib and stream errors: the compressed data stops early or is damaged (not an XML problem). */
function isDamage(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('Z_') || code === 'ERR_STREAM_PREMATURE_CLOSE') return true;
  return /unexpected end of file|invalid (stored block|distance|code|block type)|incorrect header|crc32|too short|compressed size|longer than the zip says/i.test(error.message) && !/:\d+:\d+:/.test(error.message);
}

function describeFailure(error: Error, parser: XmlParser, displayName: string) {
  const message = error.message.replace(/\r?\n/g, ' ');
  if (message.startsWith(displayName)) {
    return inputError(`${message.replace(/^(.*?):(\d+):(\d+): /, '$1: malformed XML at line $2, column $3: ')}`, error);
  }
  return inputError(`${displayName}: malformed XML at line ${parser.line}, column ${parser.column}: ${message}`, error);
}

/** Raised by a reader while handling an element: names the element and its line. */
export function elementError(displayName: string, parser: XmlParser, what: string) {
  return inputError(`${displayName}: line ${parser.line}: ${what}`);
}
