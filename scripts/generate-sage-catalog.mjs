#!/usr/bin/env node
/**
 * Generates the Sage Accounting v3.1 endpoint catalog from Sage's own Swagger 2.0 spec.
 *
 *   node scripts/generate-sage-catalog.mjs [path/to/sage-accounting-v3.1.swagger.json] [--check]
 *
 * The spec is committed at reference/sage-accounting-v3.1.swagger.json (Sage's file, unchanged),
 * so a clean clone regenerates and checks the catalog. Three outputs, for three readers:
 *   src/sage/catalog/endpoints.generated.ts    what the Sage source needs: paths, filters, paging,
 *                                              nested arrays, money/date/timestamp fields, availability
 *   src/sandbox/spec/definitions.generated.ts  what only the sandbox needs: the trimmed read-side
 *                                              definitions it generates records from
 *   src/sage/catalog/field-docs.generated.ts   what `show` needs: each read-side field's description
 *                                              and the definition it leads to (the schema explorer)
 * All are committed (the package does not ship the spec). `--check` writes nothing and exits
 * with 1 when the committed files differ from what the spec produces.
 *
 * The functions are exported so the catalog test can regenerate in memory and compare.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseAccess, parseAvailability, parseSortAttributes } from "./sage-catalog/parse-description.mjs";
import { stringify } from "./sage-catalog/stringify.mjs";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_SPEC_PATH = resolve(REPO_ROOT, "reference/sage-accounting-v3.1.swagger.json");
export const ENDPOINTS_FILE = resolve(REPO_ROOT, "src/sage/catalog/endpoints.generated.ts");
export const DEFINITIONS_FILE = resolve(REPO_ROOT, "src/sandbox/spec/definitions.generated.ts");
export const FIELD_DOCS_FILE = resolve(REPO_ROOT, "src/sage/catalog/field-docs.generated.ts");

/**
 * `$ref`s to first-class resources arrive as `{id, displayed_as, $path}` link stubs, except these:
 * Sage embeds a contact's and a bank account's addresses and contact person in full (the
 * reference's §4 lists them as nested objects), although the spec points at the resource
 * definitions `Address` and `ContactPerson`.
 */
const EMBEDDED_RESOURCES = new Set([
  "Contact.main_address",
  "Contact.delivery_address",
  "Contact.main_contact_person",
  "BankAccount.main_address",
]);

const BASE_LIKE_KEYS = new Set(["id", "displayed_as", "$path", "links"]);
const KEPT_KEYWORDS = ["type", "format", "maxLength", "enum", "required"];

const refName = (ref) => ref.slice(ref.lastIndexOf("/") + 1);

function queryParam(p) {
  const out = { name: p.name, type: p.type };
  if (p.format) out.format = p.format;
  if (p.enum) out.enum = [...p.enum];
  if (p.default !== undefined) out.default = p.default;
  if (p.minimum !== undefined) out.minimum = p.minimum;
  if (p.maximum !== undefined) out.maximum = p.maximum;
  return out;
}

/** Walk an item definition and collect field paths (`invoice_lines[*].net_amount`). */
function collectFields(spec, rootDef, isReference) {
  const acc = {
    nestedArrays: [],
    nestedObjects: [],
    references: [],
    scalarArrays: [],
    moneyFields: [],
    dateFields: [],
    timestampFields: [],
  };
  const walk = (defName, prefix, stack) => {
    const def = spec.definitions[defName];
    for (const [prop, schema] of Object.entries(def?.properties ?? {})) {
      const path = prefix + prop;
      if (schema.$ref) {
        const target = refName(schema.$ref);
        if (isReference(defName, prop, target)) acc.references.push({ path, definition: target });
        else {
          acc.nestedObjects.push({ path, definition: target });
          if (!stack.includes(target)) walk(target, `${path}.`, [...stack, target]);
        }
      } else if (schema.type === "array") {
        const items = schema.items;
        if (items?.$ref) {
          const target = refName(items.$ref);
          const reference = isReference(defName, prop, target);
          acc.nestedArrays.push({ path, definition: target, reference });
          if (!reference && !stack.includes(target)) walk(target, `${path}[*].`, [...stack, target]);
        } else {
          acc.scalarArrays.push(path);
        }
      } else if (schema.type === "number") {
        acc.moneyFields.push(path);
      } else if (schema.type === "string" && schema.format === "date") {
        acc.dateFields.push(path);
      } else if (schema.type === "string" && schema.format === "date-time") {
        acc.timestampFields.push(path);
      }
    }
  };
  walk(rootDef, "", [rootDef]);
  return acc;
}

function listEndpointPaths(spec) {
  return Object.keys(spec.paths).filter((p) => !p.includes("{") && spec.paths[p].get);
}

function responseDefinition(op) {
  const schema = op.responses?.["200"]?.schema;
  if (!schema) throw new Error(`${op.operationId}: no 200 schema`);
  if (schema.type === "array") return { kind: "list", definition: refName(schema.items.$ref) };
  return { kind: "singleton", definition: refName(schema.$ref) };
}

/** The read-side definitions: everything reachable from the collection GET responses. */
function reachableDefinitions(spec, roots) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const scan = (schema) => {
      if (!schema || typeof schema !== "object") return;
      if (schema.$ref) visit(refName(schema.$ref));
      if (schema.items) scan(schema.items);
      for (const p of Object.values(schema.properties ?? {})) scan(p);
    };
    scan(spec.definitions[name]);
  };
  roots.forEach(visit);
  return [...seen].sort();
}

/** Only what validation and generation need: no descriptions, examples or x- extensions. */
function trimSchema(schema) {
  const out = {};
  if (schema.$ref) return { $ref: schema.$ref };
  for (const k of KEPT_KEYWORDS) if (schema[k] !== undefined) out[k] = schema[k];
  if (schema.items) out.items = trimSchema(schema.items);
  if (schema.properties) {
    out.properties = {};
    for (const [k, v] of Object.entries(schema.properties)) out.properties[k] = trimSchema(v);
  }
  return out;
}

export function buildCatalog(spec, specText) {
  const paths = listEndpointPaths(spec);
  const listItemDefs = new Set(
    paths
      .map((p) => responseDefinition(spec.paths[p].get))
      .filter((r) => r.kind === "list")
      .map((r) => r.definition),
  );
  const isBaseLike = (name) => {
    const keys = Object.keys(spec.definitions[name]?.properties ?? {});
    return keys.includes("id") && keys.every((k) => BASE_LIKE_KEYS.has(k));
  };
  const isReference = (owner, prop, target) => {
    if (EMBEDDED_RESOURCES.has(`${owner}.${prop}`)) return false;
    return target === "Base" || isBaseLike(target) || listItemDefs.has(target);
  };

  const endpoints = paths.map((path) => {
    const op = spec.paths[path].get;
    const { kind, definition } = responseDefinition(op);
    const params = (op.parameters ?? []).filter((p) => p.in === "query").map(queryParam);
    const has = (n) => params.some((p) => p.name === n);
    const ipp = params.find((p) => p.name === "items_per_page");
    const sortParam = (op.parameters ?? []).find((p) => p.name === "sort");
    const props = spec.definitions[definition]?.properties ?? {};
    const access = parseAccess(op.description);
    return {
      name: path.slice(1),
      path,
      definition,
      kind,
      tag: op.tags?.[0] ?? null,
      summary: op.summary ?? "",
      queryParams: params,
      filters: {
        updatedOrCreatedSince: has("updated_or_created_since"),
        deletedSince: has("deleted_since"),
        fromDate: has("from_date"),
        toDate: has("to_date"),
        updatedFromDate: has("updated_from_date"),
        updatedToDate: has("updated_to_date"),
        search: has("search"),
        sort: sortParam ? parseSortAttributes(sortParam.description) : null,
        attributes: has("attributes"),
        nestedAttributes: has("nested_attributes"),
        page: has("page"),
        itemsPerPage: has("items_per_page"),
      },
      paging: ipp ? { itemsPerPageDefault: ipp.default ?? 20, itemsPerPageMax: ipp.maximum ?? 200 } : null,
      rows: {
        id: "id" in props,
        createdAt: "created_at" in props,
        updatedAt: "updated_at" in props,
        deletedAt: "deleted_at" in props,
        deletedFlag: props.deleted?.type === "boolean",
      },
      ...collectFields(spec, definition, isReference),
      availability: parseAvailability(op.description),
      access,
      areas: access.map((a) => a.area),
    };
  });
  endpoints.sort((a, b) => a.name.localeCompare(b.name));

  const roots = endpoints.map((e) => e.definition);
  const definitions = {};
  const fieldDocs = {};
  for (const name of reachableDefinitions(spec, roots)) {
    definitions[name] = trimSchema(spec.definitions[name]);
    fieldDocs[name] = fieldDocsOf(spec.definitions[name]);
  }

  const specInfo = {
    title: spec.info?.title ?? "",
    version: spec.info?.version ?? "",
    basePath: spec.basePath ?? "",
    paths: Object.keys(spec.paths).length,
    definitions: Object.keys(spec.definitions).length,
    sha256: specText ? createHash("sha256").update(specText).digest("hex") : "",
  };
  return { specInfo, endpoints, definitions, fieldDocs };
}

/**
 * A description as plain text: Sage writes a little HTML in them (<br>, <b>, <i>, links), which
 * the dashboard would show literally (it inserts text, never HTML). A link keeps its address.
 */
function plainText(description) {
  return String(description ?? "")
    .replace(/<br\s*\/?>/gi, " ")
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/gi, (_m, href, text) =>
      text && text !== href ? `${text} (${href})` : href,
    )
    .replace(/<\/?(b|i|em|strong|a)\b[^>]*>/gi, "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * A definition's fields as `[description, definition]` pairs: the spec's own sentence (empty when
 * it has none) and, for an object or a list of objects, the definition to read its fields in.
 */
function fieldDocsOf(def) {
  const out = {};
  for (const [prop, schema] of Object.entries(def?.properties ?? {})) {
    const ref = schema.$ref ?? schema.items?.$ref;
    const text = plainText(schema.description);
    if (!text && !ref) continue;
    out[prop] = ref ? [text, refName(ref)] : [text];
  }
  return out;
}

const HEADER = "// Generated by scripts/generate-sage-catalog.mjs from Sage's Swagger 2.0 spec. Do not edit.\n";

export function renderEndpointsModule(catalog) {
  return (
    HEADER +
    'import type { EndpointSpec, SpecInfo } from "./types.js";\n\n' +
    `export const SPEC_INFO: SpecInfo = ${stringify(catalog.specInfo)};\n\n` +
    `export const ENDPOINTS: readonly EndpointSpec[] = ${stringify(catalog.endpoints)};\n`
  );
}

export function renderDefinitionsModule(catalog) {
  return (
    HEADER +
    'import type { SchemaNode } from "./schema-node.js";\n\n' +
    "/** The read-side definitions (reachable from the collection GETs), trimmed to validation keywords. */\n" +
    `export const DEFINITIONS: Readonly<Record<string, SchemaNode>> = ${JSON.stringify(catalog.definitions)};\n`
  );
}

export function renderFieldDocsModule(catalog) {
  return (
    HEADER +
    'import type { FieldDocs } from "./types.js";\n\n' +
    "/** Per read-side definition: each field's description in Sage's spec and the definition it leads to. */\n" +
    `export const FIELD_DOCS: Readonly<Record<string, FieldDocs>> = ${stringify(catalog.fieldDocs)};\n`
  );
}

export function generateFromFile(specPath = DEFAULT_SPEC_PATH) {
  const text = readFileSync(specPath, "utf8");
  const catalog = buildCatalog(JSON.parse(text), text);
  return {
    catalog,
    endpoints: renderEndpointsModule(catalog),
    definitions: renderDefinitionsModule(catalog),
    fieldDocs: renderFieldDocsModule(catalog),
  };
}

function main(argv) {
  const check = argv.includes("--check");
  const specPath = resolve(argv.find((a) => !a.startsWith("--")) ?? DEFAULT_SPEC_PATH);
  if (!existsSync(specPath)) {
    process.stderr.write(`Sage swagger spec not found at ${specPath}; pass its path as the first argument.\n`);
    process.exit(2);
  }
  const out = generateFromFile(specPath);
  const targets = [
    [ENDPOINTS_FILE, out.endpoints],
    [DEFINITIONS_FILE, out.definitions],
    [FIELD_DOCS_FILE, out.fieldDocs],
  ];
  if (check) {
    const stale = targets.filter(([file, text]) => {
      try {
        return readFileSync(file, "utf8") !== text;
      } catch {
        return true;
      }
    });
    for (const [file] of stale) process.stderr.write(`stale: ${file}\n`);
    process.exit(stale.length ? 1 : 0);
  }
  for (const [file, text] of targets) writeFileSync(file, text);
  const lists = out.catalog.endpoints.filter((e) => e.kind === "list").length;
  const singletons = out.catalog.endpoints.length - lists;
  process.stderr.write(
    `wrote ${lists} list endpoints, ${singletons} singletons, ${Object.keys(out.catalog.definitions).length} definitions\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
