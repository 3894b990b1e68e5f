import { randomFillSync } from "node:crypto";

/**
 * Row keys (`_dlt_id`): 14 random base64url characters (84 bits), as long as dlt's root keys.
 * dlt derives child keys from a hash of the parent key; here they are random too, because a
 * package is normalized exactly once (its folder is renamed into place atomically) so
 * determinism buys nothing, and hashing costs a digest per child row on the hot path.
 * Random bytes are drawn 63 KiB at a time and encoded in one call; each key is a slice of that
 * text (encoding 10 bytes per key was a native call per row). The byte count is a multiple of
 * 3, so every character carries 6 random bits.
 */
const ID_CHARS = 14;
const POOL_BYTES = 3 * 21 * 1024;
const pool = Buffer.alloc(POOL_BYTES);
let text = "";
let offset = 0;

export function newRowId(): string {
  if (offset + ID_CHARS > text.length) {
    randomFillSync(pool);
    text = pool.toString("base64url");
    offset = 0;
  }
  const id = text.slice(offset, offset + ID_CHARS);
  offset += ID_CHARS;
  return id;
}
