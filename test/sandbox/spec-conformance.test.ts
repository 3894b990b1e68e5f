import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RESOURCES, catalog, isAvailable } from "../../src/sage/catalog/index.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { api, type Envelope, type Rec } from "./helpers.js";

/** Sage's own spec, committed unchanged in the repository (the sandbox's trimmed copy is not what it is checked against). */
const SPEC = resolve(dirname(fileURLToPath(import.meta.url)), "../../reference/sage-accounting-v3.1.swagger.json");
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const definitions = (JSON.parse(readFileSync(SPEC, "utf8")) as { definitions: Record<string, unknown> }).definitions;

/**
 * Two changes to the spec's schemas, one loosening and one tightening:
 * - Sage's API sends every `type: number` value as a decimal string ("1653.76"), although the
 *   spec says number (see the reference's "Monetary values arrive as JSON strings"). A number
 *   property therefore accepts a numeric string too. Nothing else is loosened.
 * - Objects get `additionalProperties: false`, so the sandbox cannot invent attributes the spec
 *   does not define. Descriptions, examples and x- extensions are dropped (not validation keywords).
 */
function adapt(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(adapt);
  if (schema === null || typeof schema !== "object") return schema;
  const s = schema as Record<string, unknown>;
  if (s.$ref) return { $ref: s.$ref };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "description" || k === "example" || k.startsWith("x-")) continue;
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([p, ps]) => [p, adapt(ps)])) : adapt(v);
  }
  if (out.type === "object" || out.properties) out.additionalProperties = false;
  if (out.type === "number") {
    const { type: _type, ...rest } = out;
    return {
      anyOf: [
        { type: "number", ...rest },
        { type: "string", pattern: "^-?\\d+(\\.\\d+)?$" },
      ],
    };
  }
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addSchema({ $id: "sage", definitions: Object.fromEntries(Object.entries(definitions).map(([k, v]) => [k, adapt(v)])) });
const validators = new Map<string, ValidateFunction>();
function validator(definition: string): ValidateFunction {
  let v = validators.get(definition);
  if (!v) {
    v = ajv.getSchema(`sage#/definitions/${definition}`)!;
    validators.set(definition, v);
  }
  return v;
}

function problems(definition: string, records: Rec[], label: string): string[] {
  const v = validator(definition);
  const out: string[] = [];
  records.forEach((r, i) => {
    if (!v(r)) out.push(`${label}[${i}] ${ajv.errorsText(v.errors, { dataVar: "" })}`);
  });
  return out;
}

let sb: Sandbox;
let token: string;

beforeAll(async () => {
  sb = await startSandbox({ scale: 0.05, seed: 21 });
  token = sb.issueTokens().access_token;
  sb.mutate({ resource: "sales_invoices", updates: 2, creates: 2, deletes: 1 });
  sb.mutate({ resource: "contact_payments", creates: 2 });
});
afterAll(() => sb.close());

describe("sandbox records conform to Sage's definitions in the swagger spec", () => {
  it("adapts the spec as documented: a money string passes, a word or a stray attribute does not", () => {
    const v = validator("TaxBreakdown");
    expect(v({ percentage: "20.00", amount: "1.50" })).toBe(true);
    expect(v({ percentage: 20, amount: 1.5 })).toBe(true);
    expect(v({ percentage: "twenty" })).toBe(false);
    expect(v({ percentage: "20.00", invented: true })).toBe(false);
    expect(validator("SalesInvoice")({ date: "2024-13-45" })).toBe(false);
  });

  it("every record of every default resource, in both businesses", () => {
    const errors: string[] = [];
    let checked = 0;
    for (const b of [0, 1]) {
      for (const name of DEFAULT_RESOURCES) {
        const e = catalog.find((x) => x.name === name)!;
        if (!sb.store.isAvailable(b, name)) continue;
        const records =
          e.kind === "singleton"
            ? [sb.store.singleton(b, name)]
            : sb.store.records(b, name, { includeDeleted: true, showPaymentsAllocations: true });
        checked += records.length;
        errors.push(...problems(e.definition, records, `${b}:${name}`));
      }
    }
    expect(errors.slice(0, 20)).toEqual([]);
    expect(checked).toBeGreaterThan(5000);
  });

  it("the first API page (attributes=all) of every other endpoint the lead business has", async () => {
    const errors: string[] = [];
    const lead = sb.store.businesses[0]!;
    const others = catalog.filter(
      (e) => !DEFAULT_RESOURCES.includes(e.name) && isAvailable(e, lead.country, lead.tier as "plus"),
    );
    expect(others.length).toBeGreaterThan(45);
    for (const e of others) {
      const res = await api<Envelope | Rec>(sb, `${e.path}?attributes=all&items_per_page=200`, { token });
      expect(res.status, e.name).toBe(200);
      const records = e.kind === "singleton" ? [res.body as Rec] : (res.body as Envelope).$items;
      if (e.kind === "list") expect(records.length, e.name).toBeGreaterThan(0);
      errors.push(...problems(e.definition, records, e.name));
    }
    expect(errors.slice(0, 20)).toEqual([]);
  });

  it("the country-specific endpoints (FR, ES, DE) too", async () => {
    const other = await startSandbox({
      scale: 0.02,
      businesses: 3,
      businessProfiles: [
        { country: "fr", tier: "plus" },
        { country: "es", tier: "plus" },
        { country: "de", tier: "plus" },
      ],
    });
    const t = other.issueTokens().access_token;
    const errors: string[] = [];
    const seen = new Set<string>();
    try {
      for (const b of other.store.businesses) {
        for (const e of catalog.filter((x) => isAvailable(x, b.country, "plus") && !isAvailable(x, "gb", "plus"))) {
          seen.add(e.name);
          const res = await api<Envelope | Rec>(other, `${e.path}?attributes=all`, { token: t, business: b.id });
          expect(res.status, `${b.country}:${e.name}`).toBe(200);
          errors.push(
            ...problems(
              e.definition,
              e.kind === "singleton" ? [res.body as Rec] : (res.body as Envelope).$items,
              `${b.country}:${e.name}`,
            ),
          );
        }
      }
    } finally {
      await other.close();
    }
    expect([...seen].sort()).toEqual(
      expect.arrayContaining(["datev_settings", "journal_codes", "sales_corrective_invoices", "tax_offices"]),
    );
    expect(errors.slice(0, 20)).toEqual([]);
  });
});
