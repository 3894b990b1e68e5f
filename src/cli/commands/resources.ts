import { type Command, Option } from "commander";
import { DEFAULT_RESOURCES, catalog } from "../../sage/catalog/index.js";
import type { EndpointSpec, SubscriptionTier } from "../../sage/catalog/types.js";
import { SA_RESOURCE_SPECS } from "../../sageone-za/resources.js";
import { hintPath } from "../../sage/column-hints.js";
import { formatTable } from "../text-table.js";

const SOURCES = ["sage_accounting", "sage_one_za"] as const;
type SourceName = (typeof SOURCES)[number];

/** What `resources` says about one endpoint; the same facts in the table and in `--json`. */
export interface ResourceFacts {
  name: string;
  path: string;
  kind: "list" | "singleton";
  default: boolean;
  /** How changes are read: `updated_or_created_since`, `modified` (ZA), or full reads. */
  incremental: string | null;
  /** How deletions are seen: `deleted_since`, a `deleted` flag, or only by reconciliation. */
  deletions: string | null;
  /** Countries per subscription tier where the endpoint exists (Sage answers 404 elsewhere). */
  availability: Record<string, string[]> | null;
  /** Tables besides the root one: `<name>__<path>` for owned nested arrays. */
  childTables: string[];
  summary: string;
}

function accountingFacts(e: EndpointSpec): ResourceFacts {
  const availability: Record<string, string[]> = {};
  for (const [tier, countries] of Object.entries(e.availability) as [SubscriptionTier, readonly string[]][]) {
    availability[tier] = [...countries];
  }
  return {
    name: e.name,
    path: e.path,
    kind: e.kind,
    default: DEFAULT_RESOURCES.includes(e.name),
    incremental: e.filters.updatedOrCreatedSince ? "updated_or_created_since" : null,
    deletions: e.filters.deletedSince ? "deleted_since" : e.rows.deletedFlag ? "deleted flag" : null,
    availability,
    childTables: e.nestedArrays.filter((n) => !n.reference).map((n) => `${e.name}__${hintPath(n.path)}`),
    summary: e.summary,
  };
}

function zaFacts(): ResourceFacts[] {
  return SA_RESOURCE_SPECS.map((r) => ({
    name: r.name,
    path: `/${r.service}/Get`,
    kind: "list",
    default: true,
    incremental: r.incremental ? "modified" : null,
    deletions: null,
    availability: null,
    childTables: r.detail ? [`${r.name}__lines`] : [],
    summary: r.incremental ? "documents, read by Modified" : "master list, read in full every run",
  }));
}

export function resourceFacts(source: SourceName): ResourceFacts[] {
  return source === "sage_one_za" ? zaFacts() : catalog.map(accountingFacts);
}

/** Child tables without their parent's prefix, cut short for the terminal (`--json` has them all). */
function childTablesText(f: ResourceFacts): string {
  // Line tables first, `links` arrays (navigation, rarely what a user looks for) last.
  const rank = (n: string) => (n.endsWith("lines") ? 0 : n.includes("links") ? 2 : 1);
  const names = f.childTables.map((t) => t.slice(f.name.length + 2)).sort((a, b) => rank(a) - rank(b));
  let text = "";
  for (const [i, n] of names.entries()) {
    const next = text ? `${text}, ${n}` : n;
    if (next.length > 48) return `${text} (+${names.length - i} more)`;
    text = next;
  }
  return text;
}

/** Tiers where an endpoint exists in every country the catalog knows for that tier, shortened. */
function availabilityText(a: ResourceFacts["availability"]): string {
  if (!a) return "all";
  const parts = Object.entries(a)
    .filter(([, countries]) => countries.length > 0)
    .map(([tier, countries]) => `${tier}: ${countries.join(",")}`);
  return parts.length ? parts.join("; ") : "none";
}

/** `sage-pipeline resources`: every endpoint the source can load and how it loads. */
export function registerResources(program: Command): void {
  program
    .command("resources")
    .description(
      "list every endpoint a Sage source can load: incremental and deletion support, availability, child tables, defaults",
    )
    .addOption(new Option("--source <name>", "which Sage API").choices(SOURCES).default("sage_accounting"))
    .option("--json", "one JSON array instead of the table")
    .option("--defaults", "only the resources a run loads when none are named")
    .action((flags: { source: SourceName; json?: boolean; defaults?: boolean }) => {
      const facts = resourceFacts(flags.source).filter((f) => !flags.defaults || f.default);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(facts, null, 2)}\n`);
        return;
      }
      const table = formatTable(
        ["resource", "default", "kind", "incremental", "deletions", "child tables", "available (tier: countries)"],
        facts.map((f) => [
          f.name,
          f.default ? "yes" : "",
          f.kind,
          f.incremental ?? "full read",
          f.deletions ?? (flags.source === "sage_accounting" && f.kind === "list" ? "reconciliation" : "not seen"),
          childTablesText(f),
          availabilityText(f.availability),
        ]),
      );
      const defaults = facts.filter((f) => f.default).length;
      process.stdout.write(
        `${table}\n\n${facts.length} resources, ${defaults} loaded by default. Choose others with --resources or [sources.${flags.source}_source] resources.\n`,
      );
    });
}
