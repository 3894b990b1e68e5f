/**
 * How Sage writes values on the wire: numbers as decimal strings with two places, business
 * dates as `YYYY-MM-DD`, timestamps as ISO-8601 UTC to the second. Internally the sandbox keeps
 * money in integer cents, dates as day numbers and times as epoch seconds.
 */

export const SECONDS_PER_DAY = 86_400;

/** 1234 cents → "12.34"; -5 → "-0.05". */
export function money(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  const units = Math.floor(abs / 100);
  const frac = abs % 100;
  return `${sign}${units}.${frac < 10 ? "0" : ""}${frac}`;
}

/** A quantity or rate kept in hundredths (250 → "2.50"). Same wire form as money. */
export const hundredths = money;

/** Basis points to a percentage string: 1350 → "13.50". */
export function percent(basisPoints: number): string {
  return money(basisPoints);
}

/** Day number (days since 1970-01-01) → "YYYY-MM-DD". */
export function isoDate(day: number): string {
  return new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);
}

/** Epoch seconds → "YYYY-MM-DDThh:mm:ssZ". */
export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19) + "Z";
}

export function dayOf(seconds: number): number {
  return Math.floor(seconds / SECONDS_PER_DAY);
}

export function dayFromIso(date: string): number {
  return Math.floor(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / 1000 / SECONDS_PER_DAY);
}

/** Round half away from zero, for cents computed from products. */
export function roundCents(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** Tax on a net amount at a rate in basis points. */
export function taxOf(netCents: number, basisPoints: number): number {
  return roundCents((netCents * basisPoints) / 10_000);
}

/** Convert an amount in a foreign currency to base currency (rate in hundredths: 115 = 1.15). */
export function toBase(cents: number, rateHundredths: number): number {
  return rateHundredths === 100 ? cents : roundCents((cents * 100) / rateHundredths);
}
