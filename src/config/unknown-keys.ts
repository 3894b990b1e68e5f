import { didYouMean } from "../util/suggest.js";
import { describeOrigin } from "./origin.js";
import type { PresentKey } from "./providers.js";
import { type ConfigSpec, declaredKeys, keyOf } from "./spec.js";

/** A section the unknown-key check looks at, with the keys declared for it. */
export interface KnownSection {
  readonly section: readonly string[];
  readonly keys: readonly string[];
}

/** The spec's own section and one per credentials group (`[destination.postgres.credentials]`). */
export function knownSections(spec: ConfigSpec): KnownSection[] {
  const entries = Object.entries(spec.fields);
  const out: KnownSection[] = [
    {
      section: spec.section,
      // Other specs' keys in the same section are known too (see declaredKeys).
      keys: [...new Set([...entries.map(([p, f]) => keyOf(p, f)), ...declaredKeys(spec.section)])],
    },
  ];
  for (const [p, f] of entries) {
    if (f.kind !== "credentials" || !f.fields) continue;
    out.push({
      section: [...spec.section, keyOf(p, f)],
      keys: Object.entries(f.fields).map(([sp, sf]) => keyOf(sp, sf)),
    });
  }
  return out;
}

/**
 * One warning per key found in a known section that the spec does not declare, with
 * did-you-mean (dlt ignores such keys silently). Sub-tables are left alone: other components
 * own them (`[destination]` holds `[destination.postgres]`).
 */
export function unknownKeyWarnings(known: KnownSection, present: readonly PresentKey[]): string[] {
  const label = `[${known.section.join(".")}]`;
  const out: string[] = [];
  for (const p of present) {
    if (known.keys.includes(p.key)) continue;
    if (p.isTable) continue;
    out.push(`${label} has no key ${p.key} (${describeOrigin(p.origin)}; ignored)${didYouMean(p.key, known.keys)}`);
  }
  return out;
}
