/**
 * Items of several async iterables as they arrive (the companies of one list, paged at the same
 * time, each behind its own pacing). The first failure aborts `controller` (so the others stop
 * waiting for their pacing and requests) and is rethrown once every iterable has settled.
 */
export async function* interleave<T>(sources: Array<AsyncIterable<T>>, controller: AbortController): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  type Step = { i: number; result: IteratorResult<T> };
  const pending = new Map<number, Promise<Step>>();
  const pull = (i: number) => {
    const p = iterators[i]!.next().then((result) => ({ i, result }));
    p.catch(() => undefined); // observed below; never an unhandled rejection
    pending.set(i, p);
  };
  iterators.forEach((_, i) => pull(i));
  let failed = false;
  try {
    while (pending.size > 0) {
      const { i, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(i);
        continue;
      }
      pull(i);
      yield result.value;
    }
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    if (pending.size > 0) {
      controller.abort(failed ? new Error("another company failed") : new Error("stopped early"));
      await Promise.allSettled(pending.values());
      await Promise.allSettled(iterators.map((it) => it.return?.()));
    }
  }
}
