import { isAscii } from "node:buffer";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/**
 * A JSON-lines file as blocks of whole lines (text without the final newline), read in chunks of
 * about `blockBytes`. Memory is bounded by one block plus the longest line, and a line longer
 * than a chunk is joined once when its end arrives (never re-copied per chunk). Lines are split
 * on bytes: a newline byte never occurs inside a UTF-8 sequence.
 */
export async function* lineBlocks(path: string, options: { gzip?: boolean; blockBytes?: number } = {}): AsyncGenerator<string> {
  const raw = createReadStream(path, { highWaterMark: options.blockBytes ?? 512 << 10 });
  const input: Readable = options.gzip ? raw.pipe(createGunzip()) : raw;
  let pending: Buffer[] = [];
  const decode = (buf: Buffer) => buf.toString(isAscii(buf) ? "latin1" : "utf8"); // ASCII: same string, faster
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      pending.push(chunk);
      continue;
    }
    const head = chunk.subarray(0, last);
    const block = pending.length > 0 ? Buffer.concat([...pending, head]) : head;
    pending = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
    if (block.length > 0) yield decode(block);
  }
  const tail = Buffer.concat(pending);
  if (tail.length > 0) yield decode(tail);
}
