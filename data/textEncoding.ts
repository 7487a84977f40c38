// What a CSV that DuckDB refuses as not UTF-8 is written in, read from its first bytes, so that the advice converts
// from that encoding: UTF-16 (Excel's "Unicode text", pandas' encoding='utf-16') starts with a byte-order mark, and
// converting it as if it were Latin-1 keeps the mark and every zero byte as text.

import { closeSync, openSync, readSync } from 'node:fs';

/** The UTF-16 byte-order mark `path` starts with (`FF FE` little-endian, `FE FF` big-endian), if any. */
export function utf16ByteOrderMark(path: string): 'FF FE' | 'FE FF' | undefined {
  const head = firstBytes(path, 2);
  if (head === undefined || head.length < 2) return undefined;
  if (head[0] === 0xff && head[1] === 0xfe) return 'FF FE';
  if (head[0] === 0xfe && head[1] === 0xff) return 'FE FF';
  return undefined;
}

/** What `path`, a CSV that is not UTF-8, is, and how to convert it to UTF-8: from UTF-16 when it is that, else Latin-1. */
export function notUtf8Text(path: string): { utf16: boolean; what: string; convert: string } {
  const mark = utf16ByteOrderMark(path);
  if (mark !== undefined) {
    return {
      utf16: true,
      what: `it is UTF-16 text (it starts with the UTF-16 byte-order mark ${mark}), and CSV is read as UTF-8 only`,
      convert: 'save it as UTF-8, for example with iconv -f utf-16 -t utf-8',
    };
  }
  return { utf16: false, what: 'it is not UTF-8 text', convert: 'save it as UTF-8, for example with iconv -f latin1 -t utf-8' };
}

/** The first `count` bytes of `path`, or undefined when it cannot be read (an object-store path, a file gone). */
function firstBytes(path: string, count: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(count);
    return buffer.subarray(0, readSync(fd, buffer, 0, count, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
