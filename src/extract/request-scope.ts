import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Which run and which resource the code running now works for. Requests report through
 * process-wide HTTP events (several pipelines may run in one process, e.g. queue workers), so a
 * run's trace counts only the events raised inside its own scope, and attributes each to the
 * resource whose code path sent it. The scope follows `await`s, page prefetches and the limiter's
 * queue, because all of them continue the async context that started the request.
 */
export interface RequestScope {
  /** The run's own token (compared by identity). */
  readonly run: object;
  /** The resource whose code sent the request; absent for work shared by every resource. */
  readonly resource?: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Run `fn` as part of the run `token` (no resource yet). */
export function inRunScope<T>(token: object, fn: () => T): T {
  return storage.run({ run: token }, fn);
}

/** Run `fn` for `resource`, inside the run the caller is in (no run: nothing is attributed). */
export function inResourceScope<T>(resource: string, fn: () => T): T {
  const scope = storage.getStore();
  return scope ? storage.run({ run: scope.run, resource }, fn) : fn();
}

/**
 * Run `fn` for no resource in particular: work one resource starts but every resource shares
 * (a source's business list, a login), so its requests are not charged to whichever asked first.
 */
export function outsideResource<T>(fn: () => T): T {
  const scope = storage.getStore();
  return scope ? storage.run({ run: scope.run }, fn) : fn();
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
