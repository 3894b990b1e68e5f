/**
 * What kind of failure an error is, decided by type and by the codes drivers put on their errors,
 * never by reading messages. `transient`: the run failed but nothing is lost and running again
 * (later) can succeed: a network blip, a destination that is down, a 5xx or 429 after retries, a
 * lock held by another run. `terminal`: running again cannot help until the user changes
 * something: configuration, credentials, usage, a host name that does not resolve, a certificate.
 * The CLI maps them to exit 1 and exit 2.
 */
export type ErrorKind = "transient" | "terminal";

/**
 * Node system errors, DNS, TLS and the Postgres SQLSTATEs drivers report as `code`. Codes not
 * listed decide nothing (the error's own type or the caller's default does).
 */
const KIND_BY_CODE: Readonly<Record<string, ErrorKind>> = {
  // Sockets: the other side is down, restarting or overloaded; it may be back next run.
  ECONNREFUSED: "transient",
  ECONNRESET: "transient",
  ECONNABORTED: "transient",
  EPIPE: "transient",
  ETIMEDOUT: "transient",
  EHOSTUNREACH: "transient",
  ENETUNREACH: "transient",
  ENETDOWN: "transient",
  UND_ERR_SOCKET: "transient",
  UND_ERR_CONNECT_TIMEOUT: "transient",
  UND_ERR_HEADERS_TIMEOUT: "transient",
  UND_ERR_BODY_TIMEOUT: "transient",
  UND_ERR_CLOSED: "transient",
  // DNS: "no such name" is a typo in a host name; "try again" is the resolver being unwell.
  ENOTFOUND: "terminal",
  EAI_AGAIN: "transient",
  // TLS: the certificate or the protocol does not fit; retrying cannot change that.
  CERT_HAS_EXPIRED: "terminal",
  CERT_NOT_YET_VALID: "terminal",
  DEPTH_ZERO_SELF_SIGNED_CERT: "terminal",
  SELF_SIGNED_CERT_IN_CHAIN: "terminal",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "terminal",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "terminal",
  ERR_TLS_CERT_ALTNAME_INVALID: "terminal",
  ERR_SSL_WRONG_VERSION_NUMBER: "terminal",
  EPROTO: "terminal",
  // Bad input to Node itself.
  ERR_INVALID_URL: "terminal",
  // Postgres SQLSTATE: connection exceptions and server shutdown are transient ...
  "08000": "transient",
  "08001": "transient",
  "08003": "transient",
  "08004": "transient",
  "08006": "transient",
  "40001": "transient", // serialization failure
  "40P01": "transient", // deadlock
  "53300": "transient", // too many connections
  "55P03": "transient", // lock not available
  "57P01": "transient", // admin shutdown
  "57P02": "transient", // crash shutdown
  "57P03": "transient", // cannot connect now (starting up)
  "57014": "transient", // query canceled (statement_timeout)
  // ... wrong password, no such database or role, no permission are the user's to fix.
  "28000": "terminal",
  "28P01": "terminal",
  "3D000": "terminal",
  "42501": "terminal",
};

/** The kind a driver code implies, or undefined when the code says nothing. */
export function kindOfCode(code: unknown): ErrorKind | undefined {
  return typeof code === "string" ? KIND_BY_CODE[code] : undefined;
}

/** `code` of an error or of the first error in its cause chain (and AggregateError members) that has one this table knows. */
export function knownCode(err: unknown, depth = 0): string | undefined {
  if (depth > 8 || err === null || typeof err !== "object") return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && code in KIND_BY_CODE) return code;
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      const c = knownCode(e, depth + 1);
      if (c) return c;
    }
  }
  return knownCode((err as { cause?: unknown }).cause, depth + 1);
}
