// Text people hand the hub as bytes (a JSON body, a CSV file, HUB_AUP_FILE) must be UTF-8. Read
// as UTF-8 without a check, bytes of another encoding became U+FFFD and were stored so: an Excel
// "CSV" (Windows-1252) imported "Café" as "Caf\uFFFD", and an AUP saved from Word as plain text
// lost every curly apostrophe in the text staff accept. Every such read checks here first.
import { isUtf8 } from 'node:buffer';

/**
 * The first line (from 1) of `bytes` that is not UTF-8, or null when all of it is. Lines end at
 * LF, which no multi-byte UTF-8 character contains, so a line is checked on its own.
 */
export function firstLineNotUtf8(bytes: Uint8Array): number | null {
  if (isUtf8(bytes)) {
    return null;
  }
  let line = 1;
  let start = 0;
  for (let at = 0; at <= bytes.length; at += 1) {
    if (at === bytes.length || bytes[at] === 0x0a) {
      if (!isUtf8(bytes.subarray(start, at))) {
        return line;
      }
      line += 1;
      start = at + 1;
    }
  }
  return null;
}

/** Thrown where bytes that must be UTF-8 text are not; `line` is the first line that is not. */
export class NotUtf8Error extends Error {
  constructor(readonly line: number) {
    super(`line ${line} is not UTF-8 text`);
  }
}

/**
 * `bytes` as text, when they are UTF-8 (a byte order mark is kept: parsers that expect one skip
 * it).
 *
 * @throws NotUtf8Error naming the first line that is not UTF-8
 */
export function utf8TextOf(bytes: Buffer): string {
  const line = firstLineNotUtf8(bytes);
  if (line !== null) {
    throw new NotUtf8Error(line);
  }
  return bytes.toString('utf8');
}
