/**
 * Runs tasks with at most `window` started and not yet yielded, and yields their results in
 * task order. The window bounds memory (finished results wait for the slowest earlier one); the
 * per-host limiter, not this helper, bounds how many requests are actually in flight, so a
 * window a little above the limiter's concurrency keeps the limiter's queue full.
 *
 * A failing task fails the iteration when its turn comes; later tasks' failures are swallowed
 * (the consumer is already gone). Stop the tasks themselves with an AbortSignal they share.
 */
export async function* orderedParallel<T>(tasks: Iterable<() => Promise<T>>, window: number): AsyncGenerator<T> {
  const size = Math.max(1, Math.floor(window));
  const it = tasks[Symbol.iterator]();
  const running: Promise<T>[] = [];
  let exhausted = false;

  const fill = () => {
    while (!exhausted && running.length < size) {
      const next = it.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const p = next.value();
      p.catch(() => undefined); // handled when its turn comes, or dropped if the consumer stops
      running.push(p);
    }
  };

  fill();
  while (running.length > 0) {
    const head = running.shift() as Promise<T>;
    const value = await head;
    fill();
    yield value;
  }
}
