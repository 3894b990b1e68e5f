import { ConfigError } from "../../util/errors.js";
import type { PaginatorConfig } from "../types.js";
import { CursorPaginator } from "./cursor.js";
import { HeaderCursorPaginator } from "./header-cursor.js";
import { HeaderLinkPaginator } from "./header-link.js";
import { JsonLinkPaginator } from "./json-link.js";
import { OffsetPaginator, type OffsetPaginatorOptions } from "./offset.js";
import { PageNumberPaginator } from "./page-number.js";
import { SinglePagePaginator } from "./single-page.js";
import type { Paginator } from "./types.js";

export type OptionKind = "string" | "number" | "boolean" | "function" | "object";

/** A paginator type: how to build it and which options it takes (for validation). */
export interface PaginatorRegistration {
  create(options: Record<string, unknown>): Paginator;
  /** Accepted option keys (besides `type`) and their kinds. */
  keys: Readonly<Record<string, OptionKind>>;
  required?: readonly string[];
  /** Extra rules across options; each returned string is one problem. */
  check?(options: Record<string, unknown>): string[];
}

const registry = new Map<string, PaginatorRegistration>();
const aliases = new Map<string, string>([["json_response", "json_link"]]);

/** dlt's `register_paginator`: make `{ type: name, ...options }` usable in configs. */
export function registerPaginator(type: string, registration: PaginatorRegistration): void {
  registry.set(type, registration);
}

export function paginatorRegistration(type: string): PaginatorRegistration | undefined {
  return registry.get(aliases.get(type) ?? type);
}

export function paginatorTypes(): string[] {
  return [...registry.keys(), "auto"];
}

function rangeStopCheck(o: Record<string, unknown>, maxKey: string, totals: string[]): string[] {
  const stops = [...totals, maxKey, "hasMorePath"].some((k) => o[k] !== undefined) || o.stopAfterEmptyPage !== false;
  const problems: string[] = [];
  if (!stops)
    problems.push(`needs a way to stop: set one of ${[...totals, maxKey, "hasMorePath"].join(", ")} or stopAfterEmptyPage: true`);
  if (totals.length > 1 && totals.every((k) => o[k] !== undefined)) problems.push(`set ${totals.join(" or ")}, not both`);
  return problems;
}

const RANGE_KEYS = { totalPath: "string", stopAfterEmptyPage: "boolean", hasMorePath: "string", parallel: "boolean" } as const;

registerPaginator("json_link", { create: (o) => new JsonLinkPaginator(o), keys: { nextUrlPath: "string" } });
registerPaginator("header_link", { create: (o) => new HeaderLinkPaginator(o), keys: { linksNextKey: "string" } });
registerPaginator("header_cursor", {
  create: (o) => new HeaderCursorPaginator(o),
  keys: { cursorKey: "string", cursorParam: "string" },
});
registerPaginator("cursor", {
  create: (o) => new CursorPaginator(o),
  keys: {
    cursorPath: "string",
    cursorParam: "string",
    cursorBodyPath: "string",
    stopAfterEmptyPage: "boolean",
    hasMorePath: "string",
  },
});
registerPaginator("offset", {
  create: (o) => new OffsetPaginator(o as unknown as OffsetPaginatorOptions),
  keys: {
    limit: "number",
    offset: "number",
    offsetParam: "string",
    limitParam: "string",
    offsetBodyPath: "string",
    limitBodyPath: "string",
    maximumOffset: "number",
    ...RANGE_KEYS,
  },
  required: ["limit"],
  check: (o) => [
    ...(typeof o.limit === "number" && !(o.limit > 0 && Number.isInteger(o.limit)) ? ["limit must be a positive integer"] : []),
    ...rangeStopCheck(o, "maximumOffset", ["totalPath"]),
  ],
});
registerPaginator("page_number", {
  create: (o) => new PageNumberPaginator(o),
  keys: {
    basePage: "number",
    page: "number",
    pageParam: "string",
    pageBodyPath: "string",
    totalItemsPath: "string",
    pageSize: "number",
    maximumPage: "number",
    ...RANGE_KEYS,
  },
  check: (o) => rangeStopCheck(o, "maximumPage", ["totalPath", "totalItemsPath"]),
});
registerPaginator("single_page", { create: () => new SinglePagePaginator(), keys: {} });

function isPaginator(v: unknown): v is Paginator {
  const p = v as Partial<Paginator> | null;
  return (
    p !== null &&
    typeof p === "object" &&
    typeof p.init === "function" &&
    typeof p.update === "function" &&
    typeof p.next === "function"
  );
}

/** A fresh copy of a user's paginator instance, so each run starts from clean state (dlt deep-copies). */
function freshCopy(p: Paginator): Paginator {
  return Object.assign(Object.create(Object.getPrototypeOf(p) as object) as Paginator, p);
}

/** A paginator for one run, or undefined for auto-detection. Config was validated up front. */
export function createPaginator(config: PaginatorConfig | undefined): Paginator | undefined {
  if (config === undefined || config === "auto") return undefined;
  if (typeof config === "function") return config();
  if (isPaginator(config)) return freshCopy(config);
  const { type, ...options } = (typeof config === "string" ? { type: config } : config) as { type?: string } & Record<
    string,
    unknown
  >;
  if (type === undefined || type === "auto") return undefined;
  const reg = paginatorRegistration(type);
  if (!reg)
    throw new ConfigError(`unknown paginator type ${type}`, {
      hint: `use one of ${paginatorTypes().join(", ")} or registerPaginator()`,
    });
  return reg.create(options);
}

export { isPaginator };
