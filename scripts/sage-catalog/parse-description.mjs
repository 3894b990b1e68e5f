/** Facts Sage writes into each operation's markdown description: availability, access areas, sort keys. */
const TIERS = { "Accounting Start": "start", "Accounting Standard": "standard", "Accounting Plus": "plus" };

/** Swagger flags are pairs of regional indicator symbols; 🇬🇧 → "gb". */
function flagsToCountries(text) {
  const out = [];
  for (const m of text.matchAll(/(\p{Regional_Indicator})(\p{Regional_Indicator})/gu)) {
    const code = [m[1], m[2]].map((c) => String.fromCharCode(c.codePointAt(0) - 0x1f1e6 + 97)).join("");
    out.push(code);
  }
  return [...new Set(out)].sort();
}

export function parseAvailability(description) {
  const availability = { start: [], standard: [], plus: [] };
  const section = /### Endpoint Availability([\s\S]*?)(?:###|$)/.exec(description ?? "");
  if (!section) return availability;
  for (const line of section[1].split("\n")) {
    const m = /^\*\s*(Accounting [A-Za-z]+):(.*)$/.exec(line.trim());
    const tier = m && TIERS[m[1]];
    if (tier) availability[tier] = flagsToCountries(m[2]);
  }
  return availability;
}

/**
 * Two phrasings exist: "roles in the area `Sales`: Full Access, ..." (one line, one or more
 * areas) and a bullet list "* Area: `Sales`: Full Access, ...". Either way the user needs a
 * role in ANY of the listed areas.
 */
export function parseAccess(description) {
  const section = /### Access Control Restrictions([\s\S]*)$/.exec(description ?? "");
  if (!section) return [];
  const access = [];
  const text = section[1];
  const bullets = [...text.matchAll(/^\*\s*Area:\s*`([^`]+)`:\s*(.+)$/gm)];
  if (bullets.length > 0) {
    for (const b of bullets) access.push({ area: b[1], roles: splitRoles(b[2]) });
    return access;
  }
  const inline = /in the areas?\s+((?:`[^`]+`(?:,\s*|\s+and\s+|,\s*and\s+)?)+):\s*(.+)$/m.exec(text);
  if (inline) {
    const roles = splitRoles(inline[2]);
    for (const a of inline[1].matchAll(/`([^`]+)`/g)) access.push({ area: a[1], roles });
  }
  return access;
}

const splitRoles = (s) =>
  s
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);

export function parseSortAttributes(description) {
  const m = /Available attributes are:\s*\n([^\n]+)/.exec(description ?? "");
  return m
    ? m[1]
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}
