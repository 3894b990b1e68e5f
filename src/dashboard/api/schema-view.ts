import { inflateSync } from "node:zlib";
import { NamingConvention } from "../../normalize/naming.js";
import type { WorkingDir } from "../../pipeline/working-dir.js";
import { SAGE_SOURCE_NAME, columnDescription, tableDescription } from "../../sage/index.js";
import { type SchemaDiff, type StoredSchema, VERSION_TABLE, diffSchemas } from "../../schema/index.js";
import { ConfigError, errorMessage } from "../../util/errors.js";
import { type PipelineAccess, quoteText } from "./access.js";

export interface SchemaVersionRow {
  schemaName: string;
  version: number;
  versionHash: string;
  /** When the destination stored it (`_dlt_version.inserted_at`); null: known from the working dir only. */
  insertedAt: string | null;
  /** Kept loaded packages that carried this version. */
  loadIds: string[];
  inDestination: boolean;
  /** The working dir's current schema is this version. */
  current: boolean;
}

/** A TIMESTAMP as the query session gives it (a Date in UTC; some destinations: text). */
const isoTime = (v: unknown): string | null =>
  v instanceof Date ? v.toISOString() : typeof v === "string" ? v : typeof v === "number" ? new Date(v).toISOString() : null;

const naming = new NamingConvention();
const columnName = (field: string) => naming.normalizeIdentifier(field);

/**
 * The pipeline's schemas as the explorer shows them: every table and column with, for Sage's
 * tables, the spec's descriptions (src/sage/catalog/field-docs.generated.ts).
 */
function describedSchemas(wd: WorkingDir): Array<Record<string, unknown>> {
  return wd.schemaNames().flatMap((name) => {
    const s = wd.readSchema(name)?.toJSON();
    if (!s) return [];
    const sage = s.name === SAGE_SOURCE_NAME;
    return [
      {
        ...s,
        tables: s.tables.map((t) => ({
          ...t,
          description: sage ? (tableDescription(t.name, columnName) ?? null) : null,
          columns: Object.fromEntries(
            Object.entries(t.columns).map(([k, c]) => [
              k,
              { ...c, description: sage ? (columnDescription(t.name, c.name, columnName) ?? null) : null },
            ]),
          ),
        })),
      },
    ];
  });
}

/** The versions the loaded packages kept, by schema and hash, with the loads that carried each. */
function packageVersions(wd: WorkingDir): Map<string, { schema: StoredSchema; loadIds: string[] }> {
  const out = new Map<string, { schema: StoredSchema; loadIds: string[] }>();
  for (const loadId of wd.packages.list("loaded")) {
    const { schema } = wd.packages.readLoaded(loadId);
    const key = `${schema.name}\u0000${schema.versionHash}`;
    const hit = out.get(key) ?? { schema, loadIds: [] };
    hit.loadIds.push(loadId);
    out.set(key, hit);
  }
  for (const name of wd.schemaNames()) {
    const s = wd.readSchema(name)?.toJSON();
    if (s && !out.has(`${s.name}\u0000${s.versionHash}`)) out.set(`${s.name}\u0000${s.versionHash}`, { schema: s, loadIds: [] });
  }
  return out;
}

/**
 * Schemas with descriptions, and every stored version: those in the destination's
 * `_dlt_version` (what committed loads stored) joined with those the working dir keeps (its
 * loaded packages and current schema), oldest first per schema.
 */
export async function schemaView(access: PipelineAccess, name: string): Promise<Record<string, unknown>> {
  const wd = access.workingDir(name);
  const kept = packageVersions(wd);
  const current = new Set(wd.schemaNames().map((n) => `${n}\u0000${wd.readSchema(n)?.versionHash ?? ""}`));
  const rows = new Map<string, SchemaVersionRow>();
  let versionsError: string | null = null;
  try {
    const stored = await access.withSession(name, async (s) => {
      if (!(await s.tableNames()).includes(VERSION_TABLE)) return [];
      return (
        await s.query(
          `SELECT schema_name, version, version_hash, inserted_at FROM ${VERSION_TABLE} ORDER BY schema_name, version, inserted_at`,
        )
      ).rows;
    });
    for (const r of stored) {
      const key = `${String(r.schema_name)}\u0000${String(r.version_hash)}`;
      if (rows.has(key)) continue;
      rows.set(key, {
        schemaName: String(r.schema_name),
        version: Number(r.version),
        versionHash: String(r.version_hash),
        insertedAt: isoTime(r.inserted_at),
        loadIds: kept.get(key)?.loadIds ?? [],
        inDestination: true,
        current: current.has(key),
      });
    }
  } catch (err) {
    versionsError = errorMessage(err);
  }
  for (const [key, k] of kept) {
    if (rows.has(key)) continue;
    rows.set(key, {
      schemaName: k.schema.name,
      version: k.schema.version,
      versionHash: k.schema.versionHash,
      insertedAt: null,
      loadIds: k.loadIds,
      inDestination: false,
      current: current.has(key),
    });
  }
  const versions = [...rows.values()].sort((a, b) =>
    a.schemaName < b.schemaName ? -1 : a.schemaName > b.schemaName ? 1 : a.version - b.version,
  );
  return { schemas: describedSchemas(wd), versions, versionsError };
}

/** One stored version's content: the destination's copy, else the working dir's. */
async function storedVersion(access: PipelineAccess, name: string, schemaName: string, hash: string): Promise<StoredSchema> {
  const kept = packageVersions(access.workingDir(name)).get(`${schemaName}\u0000${hash}`);
  if (kept) return kept.schema;
  const text = await access.withSession(name, async (s) => {
    if (!(await s.tableNames()).includes(VERSION_TABLE)) return undefined;
    const r = await s.query(
      `SELECT "schema" AS s FROM ${VERSION_TABLE} WHERE schema_name = ${quoteText(schemaName)} AND version_hash = ${quoteText(hash)} ORDER BY inserted_at DESC LIMIT 1`,
    );
    return r.rows[0]?.s;
  });
  if (typeof text !== "string") {
    throw new ConfigError(`schema ${schemaName} has no stored version ${JSON.stringify(hash)}`, {
      hint: "pick two versions from the list the schema view shows",
    });
  }
  // dlt's rule: a schema too long for the text type is stored as base64(zlib(json)).
  return JSON.parse(text.startsWith("{") ? text : inflateSync(Buffer.from(text, "base64")).toString("utf8")) as StoredSchema;
}

/** `?schema=&from=<hash>&to=<hash>`: what changed between two stored versions. */
export async function schemaDiffView(access: PipelineAccess, name: string, params: URLSearchParams): Promise<SchemaDiff> {
  const want = (key: string) => {
    const v = params.get(key);
    if (!v)
      throw new ConfigError(`name the ${key === "schema" ? "schema" : `${key} version`}: ?schema=<name>&from=<hash>&to=<hash>`);
    return v;
  };
  const schema = want("schema");
  const [from, to] = [want("from"), want("to")];
  return diffSchemas(await storedVersion(access, name, schema, from), await storedVersion(access, name, schema, to));
}
