import { closeSync, openSync, readSync } from "node:fs";

/** Read size. Decoded, a block stays below V8's large-object size (128 KiB), so it dies young. */
const BLOCK_BYTES = 64 * 1024;

/**
 * Call `fn` for every line of a file (without its `\n`; empty lines are counted but not passed),
 * reading it in small blocks through one reusable buffer. Reading a whole file at once puts a
 * string the size of the file in V8's large-object space, and those pile up until a full GC:
 * a normalize worker's heap then grows with the number of files it reads. Blocks are cut at
 * their last newline, so no UTF-8 sequence is split (0x0A never occurs inside one) and each block
 * is decoded in one call, which is faster than decoding line by line. A line longer than the
 * buffer grows it to fit.
 */
export function forEachLine(path: string, fn: (line: string, lineNo: number) => void): void {
  const fd = openSync(path, "r");
  try {
    let buf = Buffer.allocUnsafe(BLOCK_BYTES);
    let have = 0;
    let lineNo = 0;
    let eof = false;
    const emit = (text: string) => {
      let start = 0;
      while (start <= text.length) {
        let end = text.indexOf("\n", start);
        if (end < 0) end = text.length;
        if (end === text.length && start === end) break; // nothing after the last newline
        lineNo++;
        if (end > start) fn(text.slice(start, end), lineNo);
        start = end + 1;
      }
    };
    while (!eof) {
      if (have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const n = readSync(fd, buf, have, buf.length - have, null);
      if (n === 0) eof = true;
      have += n;
      const cut = eof ? have : buf.lastIndexOf(10, have - 1) + 1;
      if (cut === 0) continue; // no complete line yet: read more (the buffer grows when full)
      emit(buf.toString("utf8", 0, cut));
      buf.copy(buf, 0, cut, have);
      have -= cut;
    }
  } finally {
    closeSync(fd);
  }
}
