import type { LimiterStats } from "./limiter.js";

/**
 * What the HTTP layer reports about each request, for tests, traces and progress displays.
 * Built from redacted data only: URLs pass through `redactUrl`, headers through
 * `redactHeaders`, errors are already scrubbed. Nothing here can leak a secret.
 */
export type RequestEvent =
  | {
      type: "request";
      id: number;
      method: string;
      url: string;
      headers: Record<string, string>;
      attempt: number;
      startedAt: number;
      queuedMs: number;
      label?: string;
    }
  | {
      type: "response";
      id: number;
      method: string;
      url: string;
      status: number;
      attempt: number;
      durationMs: number;
      bytes: number;
      label?: string;
    }
  | {
      type: "retry";
      id: number;
      method: string;
      url: string;
      attempt: number;
      delayMs: number;
      reason: string;
      status?: number;
      label?: string;
    }
  | {
      type: "error";
      id: number;
      method: string;
      url: string;
      attempt: number;
      errorName: string;
      message: string;
      status?: number;
      label?: string;
    }
  | { type: "limiter"; host: string; reason: string; stats: LimiterStats };

export type RequestEventListener = (event: RequestEvent) => void;

const globalListeners = new Set<RequestEventListener>();

/** Listen to the events of every client in the process (a trace, a progress bar); returns the unsubscribe. */
export function onRequestEvent(listener: RequestEventListener): () => void {
  globalListeners.add(listener);
  return () => globalListeners.delete(listener);
}

/** Deliver to the client's own listener and the global ones; a throwing listener never breaks a request. */
export function emitRequestEvent(event: RequestEvent, own?: RequestEventListener): void {
  for (const l of own ? [own, ...globalListeners] : globalListeners) {
    try {
      l(event);
    } catch {
      // Listeners observe; they do not get to fail requests.
    }
  }
}
