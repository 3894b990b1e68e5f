import { catalog, type EndpointSpec } from "../../sage/catalog/index.js";
import { DEFINITIONS, propertiesOf, type SchemaNode } from "../spec/index.js";
import { SECONDS_PER_DAY, isoDate, isoTime, money } from "../format.js";
import { hexId, type Rng } from "../random.js";
import { CODE_LISTS } from "./code-lists.js";
import { companyName, emailFor, phone, postcode, street, titleCase } from "./names.js";
import { Table } from "./table.js";
import type { Rec, Stub, World } from "./world.js";

/**
 * Records for the long tail of endpoints, shaped by the spec's definitions: every property of
 * the item definition gets a plausible value of its type (money as decimal strings, dates,
 * link stubs to real rows where the property names a known resource).
 */

const ROW_FIELDS = new Set(["id", "displayed_as", "$path", "created_at", "updated_at", "deleted_at"]);
const BASE_LIKE = new Set(["id", "displayed_as", "$path", "links"]);
const LIST_DEFINITIONS = new Set(catalog.filter((e) => e.kind === "list").map((e) => e.definition));

/** Resource definitions whose stubs point at rows the sandbox really has. */
const DEFINITION_TABLES: Readonly<Record<string, string>> = {
  Contact: "contacts",
  Transaction: "transactions",
  LedgerAccount: "ledger_accounts",
  TaxRate: "tax_rates",
  BankAccount: "bank_accounts",
  Product: "products",
  Service: "services",
  StockItem: "stock_items",
  Address: "addresses",
  ContactPerson: "contact_persons",
  ContactPayment: "contact_payments",
  ContactAllocation: "contact_allocations",
};

/** Property names (without prefixes like `default_`) that name a table or a code list. */
const PROPERTY_TABLES: Readonly<Record<string, string>> = {
  contact: "contacts",
  supplier: "contacts",
  insurer: "contacts",
  transaction: "transactions",
  ledger_account: "ledger_accounts",
  tax_rate: "tax_rates",
  bank_account: "bank_accounts",
  product: "products",
  service: "services",
  stock_item: "stock_items",
  address: "addresses",
  currency: "currencies",
  country: "countries",
  country_group: "country_groups",
  transaction_type: "transaction_types",
  status: "artefact_statuses",
  address_type: "address_types",
  payment_method: "payment_methods",
  ledger_account_type: "ledger_account_types",
  ledger_account_classification: "ledger_account_classifications",
  bank_account_type: "bank_account_types",
  catalog_item_type: "catalog_item_types",
  quick_entry_type: "quick_entry_types",
  attachment_context_type: "attachment_context_types",
  contact_type: "contact_types",
  contact_types: "contact_types",
  tax_return_frequency: "tax_return_frequencies",
  eu_goods_services_type: "eu_goods_services_types",
  country_of_registration: "countries_of_registration",
  contact_person_types: "contact_person_types",
};
const PREFIX = /^(default_|base_|from_|to_|sales_|purchase_|usual_|non_recoverable_|shipping_|original_|main_)/;

export function isReferenceDefinition(name: string): boolean {
  if (name === "Base" || LIST_DEFINITIONS.has(name)) return true;
  const keys = Object.keys(propertiesOf(name));
  return keys.includes("id") && keys.every((k) => BASE_LIKE.has(k));
}

const refName = (ref: string) => ref.slice(ref.lastIndexOf("/") + 1);

export class RecordFactory {
  private n = 0;

  constructor(
    private readonly w: World,
    private readonly rng: Rng,
    private readonly resource: string,
  ) {}

  /** All properties of `definition` except the row fields the renderer owns. */
  object(definition: string, depth = 0, skipRowFields = true): Rec {
    const out: Rec = {};
    for (const [prop, schema] of Object.entries(propertiesOf(definition))) {
      if (skipRowFields && ROW_FIELDS.has(prop) && depth === 0) continue;
      if (prop === "deleted_at") continue;
      const v = this.value(schema, prop, depth);
      if (v !== undefined) out[prop] = v;
    }
    return out;
  }

  value(schema: SchemaNode, prop: string, depth: number): unknown {
    if (schema.$ref) {
      const target = refName(schema.$ref);
      if (isReferenceDefinition(target)) return this.stub(prop, target);
      return depth < 3 ? this.object(target, depth + 1, false) : undefined;
    }
    switch (schema.type) {
      case "string":
        return this.string(schema, prop);
      case "number":
        return money(this.rng.int(0, 250_000));
      case "integer":
        return this.rng.int(1, 120);
      case "boolean":
        return this.rng.chance(0.5);
      case "array": {
        const items = schema.items;
        if (!items) return [];
        if (items.$ref && refName(items.$ref) === "Link") return [];
        if (items.$ref || items.type === "object")
          return [this.value(items, prop.replace(/s$/, ""), depth)].filter((v) => v !== undefined);
        return [this.string(items, prop)];
      }
      default:
        return undefined;
    }
  }

  /** A link stub, cut to what the target definition has (some "statuses" have no $path, some ids are short codes). */
  stub(prop: string, target: string): Rec {
    const stub = this.anyStub(prop, target) as unknown as Rec;
    const props = target === "Base" ? undefined : DEFINITIONS[target]?.properties;
    if (!props) return stub;
    const max = props.id?.maxLength;
    if (max !== undefined && String(stub.id).length > max) {
      stub.id = `${prop.slice(0, 3).toUpperCase()}${this.rng.int(1, 999)}`.slice(0, max);
      stub.$path = String(stub.$path).replace(/[^/]+$/, String(stub.id));
    }
    return Object.fromEntries(Object.entries(stub).filter(([k]) => k in props));
  }

  private anyStub(prop: string, target: string): Stub {
    const table = DEFINITION_TABLES[target] ?? PROPERTY_TABLES[prop] ?? PROPERTY_TABLES[prop.replace(PREFIX, "")];
    if (table) {
      if (CODE_LISTS[table]) {
        const code =
          table === "currencies"
            ? this.w.currency
            : table === "countries"
              ? this.w.business.country.toUpperCase()
              : this.rng.pick(CODE_LISTS[table])[0];
        return this.w.codeRef(table, code);
      }
      const rows = this.w.table(table).rows.filter((r) => !r.gone && r.deletedAt === null);
      if (rows.length > 0) return this.w.ref(table, this.rng.pick(rows).seq);
    }
    const id = hexId(...this.w.idSeed, this.rng.int(0, 0x7fffffff));
    const path = prop.endsWith("s") ? prop : `${prop}s`;
    return { id, displayed_as: titleCase(prop), $path: `/${path}/${id}` };
  }

  string(schema: SchemaNode, prop: string): string {
    const r = this.rng;
    if (schema.enum && schema.enum.length > 0) return r.pick(schema.enum);
    const day = this.w.clock.startDay() - r.int(1, 700);
    if (schema.format === "date") return isoDate(day);
    if (schema.format === "date-time") return isoTime(day * SECONDS_PER_DAY + r.int(28_800, 64_800));
    const max = schema.maxLength ?? 255;
    const value = (() => {
      if (prop === "id")
        return max < 32 ? `${this.resource.slice(0, 3).toUpperCase()}_${++this.n}` : hexId(...this.w.idSeed, r.int(0, 1e9));
      if (prop === "email" || prop.endsWith("_email")) return emailFor("accounts", companyName(r));
      if (/(telephone|mobile|fax|phone)$/.test(prop)) return phone(r, this.w.profile.phonePrefix);
      if (prop === "postal_code") return postcode(r, this.w.business.country);
      if (prop === "city") return r.pick(this.w.profile.cities);
      if (prop.startsWith("address_line")) return street(r);
      if (/(^|_)(website|url|href)$/.test(prop)) return "https://www.example.com";
      if (prop === "file_name") return `document-${r.int(100, 9999)}.pdf`;
      if (prop === "mime_type") return "application/pdf";
      if (prop === "file_extension") return ".pdf";
      if (prop.endsWith("_path")) return `/files/${hexId(...this.w.idSeed, r.int(0, 1e9))}`;
      if (/(^|_)(company|supplier|customer|contact)_name$/.test(prop)) return companyName(r);
      if (/(^|_)(name|displayed_as|title)$/.test(prop)) return `${titleCase(singular(this.resource))} ${r.int(1, 99)}`;
      if (/(^|_)(reference|code|number)$/.test(prop)) return `${prop.slice(0, 3).toUpperCase()}-${r.int(100, 99_999)}`;
      if (/(description|details|notes|text|message|reason)/.test(prop))
        return `${titleCase(prop)} for ${this.resource.replace(/_/g, " ")}`;
      if (prop.endsWith("_id") || prop.endsWith("guid")) return hexId(...this.w.idSeed, r.int(0, 1e9));
      return `${titleCase(prop)} ${r.int(1, 999)}`;
    })();
    return value.slice(0, max);
  }
}

function singular(resource: string): string {
  return resource
    .replace(/ies$/, "y")
    .replace(/(ses|xes)$/, (m) => m.slice(0, -2))
    .replace(/s$/, "");
}

/** A long-tail table: a few rows per business, created over the history. */
export function buildGenericTable(w: World, endpoint: EndpointSpec): Table<Rec> {
  const rng = w.rng(`generic:${endpoint.name}`);
  const idSchema = propertiesOf(endpoint.definition).id;
  const coded = idSchema?.maxLength !== undefined && idSchema.maxLength < 32;
  const table = new Table<Rec>(endpoint.name, w.idSeed, coded ? (r) => String(r.d.id) : undefined);
  const factory = new RecordFactory(w, rng, endpoint.name);
  const count = w.sizes.generic;
  const origin = w.clock.start - 700 * SECONDS_PER_DAY;
  for (let i = 0; i < count; i++) {
    const d = factory.object(endpoint.definition);
    if (coded) d.id = factory.string(idSchema, "id");
    d.displayed_as =
      typeof d.name === "string"
        ? d.name
        : typeof d.file_name === "string"
          ? d.file_name
          : factory.string({ type: "string" }, "displayed_as");
    const at = origin + Math.floor((i * 690 * SECONDS_PER_DAY) / count) + rng.int(0, 3600);
    table.add(d, at);
  }
  return table;
}
