import type { HttpResponse } from "../../http/index.js";
import { DataError } from "../../util/errors.js";
import { findAll, setPath } from "../../util/json-path.js";
import { keysOf, readHasMore } from "./has-more.js";
import { cloneRequest, describeOptions, type PageRequest, type Paginator } from "./types.js";

export interface RangeSettings {
  /** Where the moving value goes: a query param, or a path in the JSON body. */
  param: string;
  bodyPath?: string;
  initialValue: number;
  step: number;
  /** The first valid value (basePage for pages, 0 for offsets): `total` counts from here. */
  baseIndex: number;
  /** Stop once the value reaches this (dlt: `maximum_offset`, `maximum_page`). */
  maximumValue?: number;
  totalPath?: string;
  /** Total items, turned into a total of steps: ceil(items / pageSize). */
  totalItemsPath?: string;
  pageSize?: number;
  stopAfterEmptyPage: boolean;
  hasMorePath?: string;
  parallel: boolean;
  /** Sent with every request unchanged (the offset paginator's limit). */
  fixed?: { param?: string; bodyPath?: string; value: number };
}

function setBody(request: PageRequest, path: string, value: unknown): void {
  const body =
    request.json !== null && typeof request.json === "object" && !Array.isArray(request.json)
      ? (request.json as Record<string, unknown>)
      : {};
  setPath(body, path, value);
  request.json = body;
}

function toInt(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === "string" && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

/**
 * The offset and page-number algorithm (dlt's RangePaginator): stop on an empty page, when the
 * value passes the total or the maximum, or when `hasMorePath` says so. Better than dlt: no
 * implicit `totalPath`, a total missing from a later page keeps the first one (#1414), and with
 * a known total the remaining requests are planned up front for concurrent fetching.
 */
export class RangePaginator implements Paginator {
  private current = 0;
  private total: number | undefined;
  private more = true;
  private firstPageSize: number | undefined;

  constructor(
    readonly type: string,
    private readonly s: RangeSettings,
    private readonly shown: Record<string, unknown>,
  ) {}

  init(request: PageRequest): void {
    this.current = this.s.initialValue;
    this.total = undefined;
    this.more = true;
    this.firstPageSize = undefined;
    this.apply(request, this.current);
  }

  private apply(request: PageRequest, value: number): void {
    if (this.s.bodyPath) setBody(request, this.s.bodyPath, value);
    else request.params[this.s.param] = value;
    const f = this.s.fixed;
    if (f) {
      if (f.bodyPath) setBody(request, f.bodyPath, f.value);
      else if (f.param) request.params[f.param] = f.value;
    }
  }

  private readTotal(body: unknown, path: string): number | undefined {
    const found = findAll(body, path);
    const v = found[0];
    if (found.length === 0 || v === null || v === undefined) {
      if (this.total !== undefined) return undefined; // only the first page carried it: keep that one
      throw new DataError(`${this.describe()}: total ${path} is not in the response (${keysOf(body)})`, {
        hint: "fix the path, or remove it and let stopAfterEmptyPage, hasMorePath or a maximum end the run",
      });
    }
    const n = toInt(v);
    if (n === undefined) throw new DataError(`${this.describe()}: total ${path} holds ${JSON.stringify(v)}, not an integer`);
    return n;
  }

  update(response: HttpResponse, items: unknown[]): void {
    this.firstPageSize ??= items.length;
    if (this.s.stopAfterEmptyPage && items.length === 0) {
      this.more = false;
      return;
    }
    const needsBody = this.s.totalPath || this.s.totalItemsPath || this.s.hasMorePath;
    const body = needsBody ? response.json() : undefined;
    if (this.s.totalPath) this.total = this.readTotal(body, this.s.totalPath) ?? this.total;
    if (this.s.totalItemsPath) {
      const totalItems = this.readTotal(body, this.s.totalItemsPath);
      const size = this.s.pageSize ?? this.firstPageSize;
      if (totalItems !== undefined) this.total = size > 0 ? Math.ceil(totalItems / size) : 0;
    }
    this.current += this.s.step;
    if (this.total !== undefined && this.current >= this.total + this.s.baseIndex) this.more = false;
    if (this.s.maximumValue !== undefined && this.current >= this.s.maximumValue) this.more = false;
    if (this.s.hasMorePath) this.more = readHasMore(body, this.s.hasMorePath, this.describe());
  }

  next(request: PageRequest): PageRequest | undefined {
    if (!this.more) return undefined;
    const out = cloneRequest(request);
    this.apply(out, this.current);
    return out;
  }

  remaining(request: PageRequest): Iterable<PageRequest> | undefined {
    if (!this.s.parallel || this.s.hasMorePath || !this.more || this.total === undefined) return undefined;
    const end = this.total + this.s.baseIndex;
    const max = this.s.maximumValue;
    const { step } = this.s;
    const start = this.current;
    const apply = (out: PageRequest, v: number) => {
      this.apply(out, v);
    };
    return {
      *[Symbol.iterator]() {
        for (let v = start; v < end && (max === undefined || v < max); v += step) {
          const out = cloneRequest(request);
          apply(out, v);
          yield out;
        }
      },
    };
  }

  describe(): string {
    return describeOptions(this.type, this.shown);
  }
}
