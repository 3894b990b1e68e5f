import { isSafeNumber, parse } from "lossless-json";

/**
 * A JSON number that a double cannot hold exactly (`9007199254740993`, 30 significant digits,
 * `1e400`), kept as its decimal text. Native JSON.stringify writes it as a string (`toJSON`),
 * so it is never silently rounded on the way out; arithmetic on it (`valueOf`) is approximate.
 */
export class ExactNumber {
  constructor(readonly text: string) {}

  toJSON(): string {
    return this.text;
  }

  toString(): string {
    return this.text;
  }

  valueOf(): number {
    return Number(this.text);
  }

  /** `-12`, `340282366920938463463374607431768211456`: no fraction, no exponent. */
  get isInteger(): boolean {
    return /^-?\d+$/.test(this.text);
  }
}

/**
 * Only a number literal of 16 or more digits (or with a 3-digit exponent) can hold a number a
 * double rounds: 15 significant digits always survive. A literal follows `:`, `,` or `[`, so
 * digits inside strings (Sage's 32-character ids) keep the fast path; a string that happens to
 * look like that (`"note: 1234567890123456"`) only costs the slower parse, never a wrong value.
 */
const MAYBE_UNSAFE = /[:,[]\s*-?(?:\d[\d.]{15}|[\d.]+[eE][+-]?\d{3})/;

/**
 * The cheap first look: no run of 16 digits and points and no 3-digit exponent anywhere, so no
 * long literal. The point counts: `12345678.123456789` has no 16 digits in a row, yet 17
 * significant ones, which a double rounds.
 */
const LONG_DIGITS = /\d[\d.]{15}|[eE][+-]?\d{3}/;

/** False when every number literal of `text` is one a double holds: parseJsonExact then gives only `number`s. */
export function mayHoldInexactNumber(text: string): boolean {
  return LONG_DIGITS.test(text) && MAYBE_UNSAFE.test(text);
}

function exactNumber(value: string): number | ExactNumber {
  return isSafeNumber(value) ? Number(value) : new ExactNumber(value);
}

/**
 * JSON.parse that keeps every number exactly: numbers a double holds become `number`, the rest
 * ExactNumber. Bodies without a long number literal take the native parser (no slower); the
 * others lossless-json's. Syntax errors are JSON.parse's, whichever parser ran.
 */
export function parseJsonExact(text: string): unknown {
  return parseJsonExactNoting(text).value;
}

/** parseJsonExact, and whether the native parser ran (then every number is a `number`, none an ExactNumber). */
export function parseJsonExactNoting(text: string): { value: unknown; native: boolean } {
  if (!mayHoldInexactNumber(text)) return { value: JSON.parse(text), native: true };
  try {
    return { value: parse(text, null, exactNumber), native: false };
  } catch (err) {
    // The native message is the one users and tests know; it throws on the same input.
    JSON.parse(text);
    throw err;
  }
}
