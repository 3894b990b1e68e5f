// Number, money, time and duration formatting, shared by every view.

const grouped = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/**
 * A decimal as text with thousands separators, without going through a float: exact DECIMAL
 * values arrive as strings ("1234567.890000000"). `places` rounds half away from zero.
 */
export function formatDecimal(value, places) {
  if (value === null || value === undefined || value === "") return "";
  let text =
    typeof value === "number"
      ? Number.isInteger(value) || places === undefined
        ? String(value)
        : value.toFixed(places)
      : String(value);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text;
  let [, sign, int, frac = ""] = m;
  if (places !== undefined) {
    if (frac.length > places) {
      const up = Number(frac[places]) >= 5;
      frac = frac.slice(0, places);
      if (up) {
        const digits = (int + frac).split("").map(Number);
        let i = digits.length - 1;
        while (i >= 0) {
          if (digits[i] === 9) {
            digits[i] = 0;
            i--;
          } else {
            digits[i]++;
            break;
          }
        }
        let all = digits.join("");
        if (i < 0) all = `1${all}`;
        int = all.slice(0, all.length - places) || "0";
        frac = all.slice(all.length - places);
      }
    }
    frac = frac.padEnd(places, "0");
  } else {
    frac = frac.replace(/0+$/, "");
  }
  if (/^0*$/.test(int + frac)) sign = "";
  return `${sign}${grouped(int.replace(/^0+(?=\d)/, ""))}${frac ? `.${frac}` : ""}`;
}

export const formatMoney = (v) => formatDecimal(v, 2);
export const formatInt = (v) => (v === null || v === undefined ? "" : formatDecimal(v));

export function formatDuration(ms) {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** An ISO time as local date and time, with how long ago. */
export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const ago = (Date.now() - d.getTime()) / 1000;
  const rel =
    ago < 0
      ? ""
      : ago < 90
        ? " (just now)"
        : ago < 5400
          ? ` (${Math.round(ago / 60)} min ago)`
          : ago < 129600
            ? ` (${Math.round(ago / 3600)} h ago)`
            : ` (${Math.round(ago / 86400)} days ago)`;
  return `${d.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })}${rel}`;
}

/** A cell value as text: numbers grouped, objects as JSON. */
export function formatCell(v, column = {}) {
  if (v === null || v === undefined) return column.nullText ?? "null";
  if (column.money) return formatMoney(v);
  if (column.numeric) return formatDecimal(v);
  if (column.duration) return formatDuration(v);
  if (column.time) return formatTime(v);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** "2025-03-01" as "Mar 2025". */
export function formatMonth(isoDate) {
  const d = new Date(`${String(isoDate).slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime())
    ? String(isoDate)
    : d.toLocaleDateString("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });
}

const SCALE = 9;
/** A decimal string as a BigInt of billionths (exact for DECIMAL(38, 9)). */
function toUnits(v) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(v ?? "0"));
  if (!m) return 0n;
  const units = BigInt(m[2]) * 10n ** BigInt(SCALE) + BigInt((m[3] ?? "").slice(0, SCALE).padEnd(SCALE, "0"));
  return m[1] ? -units : units;
}
function fromUnits(u) {
  const neg = u < 0n;
  const s = (neg ? -u : u).toString().padStart(SCALE + 1, "0");
  return `${neg ? "-" : ""}${s.slice(0, -SCALE)}.${s.slice(-SCALE)}`;
}
/** Exact sum of decimal strings (money is never added as floats). */
export function sumDecimals(values) {
  return fromUnits(values.reduce((a, v) => a + toUnits(v), 0n));
}
