/**
 * Values of several async iterables as they arrive, concurrently. The first error stops the
 * others and is rethrown once they settled; stopping early stops them too. With `controller`,
 * that stop also aborts it, so producers waiting on its signal (a pacing queue, a request) wake
 * up instead of finishing work nobody reads.
 */
export async function* mergeAsync<T>(sources: Array<AsyncIterable<T>>, controller?: AbortController): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  type Step = { i: number; result: IteratorResult<T> };
  const pending = new Map<number, Promise<Step>>();
  const pull = (i: number) => {
    const p = iterators[i]!.next().then((result) => ({ i, result }));
    p.catch(() => undefined); // observed by the race below; never an unhandled rejection
    pending.set(i, p);
  };
  iterators.forEach((_, i) => {
    pull(i);
  });
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
      controller?.abort(new Error(failed ? "a sibling failed" : "stopped early"));
      await Promise.allSettled(pending.values());
      await Promise.allSettled(iterators.flatMap((it) => (it.return ? [it.return()] : [])));
    }
  }
}
