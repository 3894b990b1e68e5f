import { Incremental, Resource } from "../../extract/index.js";
import { compilePath } from "../../util/json-path.js";
import { authObject, authRegistration, authTypes, isRequestAuth, type AuthOptionKind } from "../auth/registry.js";
import { isPaginator, paginatorRegistration, paginatorTypes } from "../paginators/registry.js";
import {
  any,
  arrayOf,
  bool,
  type Check,
  describeKind,
  fn,
  keyPath,
  num,
  object,
  oneOf,
  recordOf,
  secret,
  str,
  strOrStrings,
} from "./checks.js";

const KIND_CHECKS: Record<AuthOptionKind, Check> = {
  string: str,
  number: num,
  boolean: bool,
  function: fn,
  object: recordOf(any),
  secret,
  date: (v, p, out) => {
    if (!(v instanceof Date) && typeof v !== "number" && typeof v !== "string")
      out.push(`${p}: must be a Date, epoch milliseconds or an ISO string, got ${describeKind(v)}`);
  },
};

const jsonPath: Check = (v, p, out) => {
  str(v, p, out);
  if (typeof v !== "string") return;
  try {
    compilePath(v);
  } catch (err) {
    out.push(`${p}: ${(err as Error).message}`);
  }
};

export const paginatorCheck: Check = (v, p, out) => {
  if (typeof v === "function" || isPaginator(v)) return;
  if (typeof v === "string") {
    const reg = paginatorRegistration(v);
    if (!reg && v !== "auto") oneOf(paginatorTypes())(v, p, out);
    else if (reg?.required?.length) {
      out.push(
        `${p}: the ${v} paginator needs ${reg.required.join(", ")}; write { type: "${v}", ${reg.required.map((k) => `${k}: ...`).join(", ")} }`,
      );
    }
    return;
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    out.push(`${p}: must be a paginator type, an object with a type, or a paginator instance; got ${describeKind(v)}`);
    return;
  }
  const o = v as Record<string, unknown>;
  const type = o.type ?? "auto";
  if (typeof type !== "string") {
    str(type, keyPath(p, "type"), out);
    return;
  }
  if (type === "auto") {
    object({ type: str })(o, p, out);
    return;
  }
  const reg = paginatorRegistration(type);
  if (!reg) {
    oneOf(paginatorTypes())(type, keyPath(p, "type"), out);
    return;
  }
  const fields: Record<string, Check> = { type: str };
  for (const [k, kind] of Object.entries(reg.keys)) fields[k] = k.endsWith("Path") ? jsonPath : KIND_CHECKS[kind];
  const before = out.length;
  object(fields, reg.required ?? [])(o, p, out);
  if (out.length === before) for (const problem of reg.check?.(o) ?? []) out.push(`${p}: ${problem}`);
};

export const authCheck: Check = (v, p, out) => {
  if (isRequestAuth(v)) return;
  if (typeof v === "string") {
    if (!authRegistration(v)) oneOf(authTypes())(v, p, out);
    return;
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    out.push(`${p}: must be an auth type, an object with a type, or an auth instance; got ${describeKind(v)}`);
    return;
  }
  const o = authObject(v as { token: string });
  const reg = authRegistration(o.type);
  if (!reg) {
    oneOf(authTypes())(o.type, keyPath(p, "type"), out);
    return;
  }
  const fields: Record<string, Check> = { type: str };
  for (const [k, kind] of Object.entries(reg.keys)) fields[k] = KIND_CHECKS[kind];
  if (o.type === "api_key") fields.location = oneOf(["header", "query", "param", "cookie"]);
  if (o.type.startsWith("oauth2_")) fields.clientAuthMethod = oneOf(["client_secret_post", "client_secret_basic"]);
  // Required fields may come from config/secrets; createAuth reports what is still missing.
  object(fields)(o, p, out);
};

const limiterCheck = object({
  maxConcurrency: num,
  requestsPerSecond: num,
  requestsPerMinute: num,
  dailyBudget: num,
  adaptive: bool,
});

const scalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
const paramCheck: Check = (v, p, out) => {
  if (v === null || scalar(v)) return;
  if (Array.isArray(v)) {
    if (!v.every(scalar)) out.push(`${p}: a list param may hold only strings, numbers and booleans`);
    return;
  }
  if (typeof v === "object" && (v as { type?: unknown }).type === "resolve") {
    object({ type: str, resource: str, field: str }, ["resource", "field"])(v, p, out);
    return;
  }
  out.push(`${p}: must be a string, number, boolean, list or { type: "resolve", resource, field }; got ${describeKind(v)}`);
};

const incrementalCheck: Check = (v, p, out) => {
  if (v instanceof Incremental) return;
  object(
    {
      cursorPath: jsonPath,
      initialValue: any,
      endValue: any,
      lastValueFunc: oneOf(["max", "min"]),
      rowOrder: oneOf(["asc", "desc"]),
      lag: num,
      primaryKey: strOrStrings,
      onCursorValueMissing: oneOf(["raise", "include", "exclude"]),
      convert: fn,
      startParam: str,
      endParam: str,
    },
    ["cursorPath"],
  )(v, p, out);
};

const actionCheck: Check = (v, p, out) => {
  if (typeof v === "function") return;
  const action: Check = (a, ap, aout) => {
    if (a === "ignore" || typeof a === "function") return;
    if (Array.isArray(a) && a.every((x) => typeof x === "function")) return;
    aout.push(
      `${ap}: must be "ignore", a function or a list of functions, got ${typeof a === "string" ? JSON.stringify(a) : describeKind(a)}`,
    );
  };
  const before = out.length;
  object({ statusCode: num, content: str, action }, ["action"])(v, p, out);
  const o = v as Record<string, unknown>;
  if (out.length === before && o.statusCode === undefined && o.content === undefined)
    out.push(`${p}: give statusCode, content or both (or pass a bare function to run on every response)`);
};

const stepCheck: Check = (v, p, out) => {
  const before = out.length;
  object({ filter: fn, map: fn, yieldMap: fn })(v, p, out);
  if (out.length === before && Object.keys(v as object).length !== 1)
    out.push(`${p}: one step is exactly one of { filter }, { map } or { yieldMap }`);
};

const headersCheck = recordOf(secret);

export const endpointCheck: Check = (v, p, out) => {
  if (typeof v === "string") return;
  object({
    path: str,
    method: oneOf(["GET", "POST"]),
    params: recordOf(paramCheck),
    json: any,
    data: (d, dp, dout) => {
      if (typeof d !== "string") recordOf(any)(d, dp, dout);
    },
    paginator: paginatorCheck,
    dataSelector: jsonPath,
    responseActions: arrayOf(actionCheck),
    incremental: incrementalCheck,
    headers: headersCheck,
    auth: authCheck,
  })(v, p, out);
};

const RESOURCE_BASE: Record<string, Check> = {
  endpoint: endpointCheck,
  tableName: (v, p, out) => {
    if (typeof v !== "function") str(v, p, out);
  },
  primaryKey: strOrStrings,
  mergeKey: strOrStrings,
  writeDisposition: oneOf(["append", "replace", "merge"]),
  columns: recordOf(recordOf(any)),
  maxTableNesting: num,
  schemaContract: any,
  selected: bool,
  parallelized: bool,
  processingSteps: arrayOf(stepCheck),
  includeFromParent: arrayOf(str),
};

export const resourceDefaultsCheck = object(RESOURCE_BASE);
const resourceObject = object({ name: str, ...RESOURCE_BASE }, ["name"]);

const resourceEntry: Check = (v, p, out) => {
  if (v instanceof Resource) return;
  if (typeof v === "string") {
    if (v.trim() === "") out.push(`${p}: a resource name must not be empty`);
    return;
  }
  resourceObject(v, p, out);
};

export const configCheck = object(
  {
    client: object({ baseUrl: str, headers: headersCheck, auth: authCheck, paginator: paginatorCheck, limiter: limiterCheck }, [
      "baseUrl",
    ]),
    resourceDefaults: resourceDefaultsCheck,
    resources: arrayOf(resourceEntry),
  },
  ["client", "resources"],
);
