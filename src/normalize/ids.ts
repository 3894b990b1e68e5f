import { randomFillSync } from "node:crypto";

/**
 * Row keys (`_dlt_id`): 10 random bytes as 14 base64url characters, like dlt's root keys.
 * dlt derives child keys from a hash of the parent key; here they are random too, because a
 * package is normalized exactly once (its folder is renamed into place atomically) so
 * determinism buys nothing, and hashing costs a digest per child row on the hot path.
 * Bytes come from a pooled buffer refilled in 64 KiB blocks.
 */
const POOL_SIZE = 65536;
const ID_BYTES = 10;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

export function newRowId(): string {
  if (offset + ID_BYTES > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString("base64url", offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
