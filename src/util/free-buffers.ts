import { once } from "node:events";
import { MessageChannel } from "node:worker_threads";

/**
 * Give the memory of `buffers` back now, instead of when V8's next major GC finds them dead: each
 * is transferred into a message that nobody reads, and the port holding it is closed, which frees
 * the message and with it the buffers' backing stores. Node 20's V8 has no
 * `ArrayBuffer.prototype.transfer` to do this directly.
 *
 * Why: off-heap memory that is garbage still counts in RSS until the main thread's next major GC,
 * and an idle main thread may not run one before the next step allocates (bench/memory: a 1M-row
 * package's key indexes, ~25 MB, were still held when the DuckDB load began). The buffers are
 * unusable afterwards (detached, byteLength 0): pass only buffers nothing reads any more.
 */
export async function freeBuffers(buffers: Iterable<ArrayBuffer>): Promise<void> {
  const list = [...new Set(buffers)].filter((b) => b.byteLength > 0);
  if (list.length === 0) return;
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, list);
  const closed = once(port2, "close");
  port2.close();
  await closed;
  port1.close();
}
