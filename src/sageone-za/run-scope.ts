/**
 * What the lists of one source share during one run (not across runs: a failed run must not
 * poison the next one made with the same source object). The extract step hands every resource
 * of a run the same abort signal, which is the key.
 */
export class RunScope {
  /**
   * Aborted by the first failure, with that error as the reason: after a 429 every call extends
   * the block, so nothing queued in any company's limiter (nor any later page) may go out; and the
   * other lists stop with the error that matters instead of a bare AbortError.
   */
  private readonly failed = new AbortController();
  private companies: Promise<number[]> | undefined;
  /** Lists already reported as skipped (404), by service and company. */
  readonly warned = new Set<string>();

  /** The run's signal combined with this scope's failure. */
  readonly signal: AbortSignal;

  constructor(runSignal: AbortSignal) {
    this.signal = AbortSignal.any([runSignal, this.failed.signal]);
  }

  /** Stop every request of this run with `error`; the first call wins. */
  fail(error: unknown): void {
    if (!this.failed.signal.aborted) this.failed.abort(error);
  }

  /** The company ids, loaded once per run by whichever list asks first. */
  companyIds(load: () => Promise<number[]>): Promise<number[]> {
    this.companies ??= load();
    return this.companies;
  }
}

/** One RunScope per run signal. */
export class RunScopes {
  private readonly scopes = new WeakMap<AbortSignal, RunScope>();

  of(runSignal: AbortSignal): RunScope {
    let scope = this.scopes.get(runSignal);
    if (!scope) {
      scope = new RunScope(runSignal);
      this.scopes.set(runSignal, scope);
    }
    return scope;
  }
}
