import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../../src/util/errors.js";
import {
  registerAuth,
  registerPaginator,
  restApiSource,
  type Endpoint,
  type PageRequest,
  type Paginator,
} from "../../src/rest/index.js";
import type { HttpResponse, OutgoingRequest } from "../../src/http/index.js";
import { ConfigError } from "../../src/util/errors.js";
import { FixtureServer, type DatasetOptions } from "../fixtures/http-server.js";
import { runResource } from "../helpers/run-resource.js";
import { build, captureLogs, EMPTY_RESOLVER, ids, range } from "./helpers.js";

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start();
});
afterAll(() => server.close());

let n = 0;
/** Serve a dataset on a fresh path and load it through one REST resource. */
async function load(dataset: DatasetOptions, endpoint: Endpoint, baseSuffix = "") {
  const path = `/d${++n}`;
  server.dataset(`${baseSuffix}${path}`, dataset);
  const [r] = build({
    client: { baseUrl: `${server.url}${baseSuffix}` },
    resources: [{ name: "items", endpoint: { path, ...endpoint } }],
  });
  const { result, logs } = await captureLogs(() => runResource(r!));
  return {
    items: result.items,
    requests: server.requestsTo(`${baseSuffix}${path}`),
    logs,
    warnings: logs.filter((l) => l.level === "warn").map((l) => l.message),
  };
}

describe("paginators", () => {
  it("json_link follows absolute next links and drops the first request's params", async () => {
    const { items, requests } = await load(
      { style: "json_link", total: 45, pageSize: 10 },
      { params: { page: 1, q: "x" }, paginator: { type: "json_link", nextUrlPath: "next" }, dataSelector: "data" },
    );
    expect(ids(items)).toEqual(range(45));
    expect(requests).toHaveLength(5);
    expect(requests[1]?.url).toMatch(/\?page=2$/);
  });

  it("json_link joins Sage's relative $next under the base path (/v3.1 kept)", async () => {
    const { items, requests } = await load(
      { style: "sage", total: 95, pageSize: 20, linkBase: "/v3.1" },
      {
        params: { items_per_page: 20 },
        paginator: { type: "json_link", nextUrlPath: "$['$next']" },
        dataSelector: "$['$items']",
      },
      "/v3.1",
    );
    expect(ids(items)).toEqual(range(95));
    expect(requests.map((r) => r.path).every((p) => p.startsWith("/v3.1/"))).toBe(true);
    expect(requests.map((r) => r.query.get("page"))).toEqual([null, "2", "3", "4", "5"]);
  });

  it("header_link follows the Link header", async () => {
    const { items, requests } = await load({ style: "header_link", total: 25, pageSize: 10 }, { paginator: "header_link" });
    expect(ids(items)).toEqual(range(25));
    expect(requests).toHaveLength(3);
  });

  it("header_cursor sends the header's cursor back as a param", async () => {
    const { items, requests } = await load(
      { style: "header_cursor", total: 25, pageSize: 10 },
      { paginator: { type: "header_cursor", cursorKey: "next", cursorParam: "cursor" } },
    );
    expect(ids(items)).toEqual(range(25));
    expect(requests.map((r) => r.query.get("cursor"))).toEqual([null, "p1", "p2"]);
  });

  it("cursor reads the body's cursor and stops on null", async () => {
    const { items, requests } = await load(
      { style: "cursor", total: 30, pageSize: 10 },
      { paginator: { type: "cursor", cursorPath: "cursors.next", cursorParam: "cursor" }, dataSelector: "items" },
    );
    expect(ids(items)).toEqual(range(30));
    expect(requests).toHaveLength(3);
  });

  it("cursor with cursorBodyPath pages a POST search, keeping the rest of the body", async () => {
    const { items, requests } = await load(
      { style: "cursor_body", total: 25, pageSize: 10 },
      {
        method: "POST",
        json: { query: "status:open" },
        paginator: { type: "cursor", cursorPath: "next_cursor", cursorBodyPath: "cursor" },
        dataSelector: "results",
      },
    );
    expect(ids(items)).toEqual(range(25));
    expect(requests.map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { query: "status:open" },
      { query: "status:open", cursor: "p1" },
      { query: "status:open", cursor: "p2" },
    ]);
  });

  it("offset with totalPath sends limit every time and stops at the total", async () => {
    const { items, requests } = await load(
      { style: "offset", total: 45, pageSize: 10 },
      { paginator: { type: "offset", limit: 10, totalPath: "total" }, dataSelector: "items" },
    );
    expect(ids(items)).toEqual(range(45));
    expect(requests.map((r) => r.query.get("offset")).sort((a, b) => Number(a) - Number(b))).toEqual([
      "0",
      "10",
      "20",
      "30",
      "40",
    ]);
    expect(requests.every((r) => r.query.get("limit") === "10")).toBe(true);
  });

  it("offset without a total stops after an empty page (no implicit totalPath)", async () => {
    const { items, requests } = await load(
      { style: "offset", total: 45, pageSize: 10 },
      { paginator: { type: "offset", limit: 10 }, dataSelector: "items" },
    );
    expect(ids(items)).toEqual(range(45));
    expect(requests).toHaveLength(6);
  });

  it("offset stops at maximumOffset", async () => {
    const { items } = await load(
      { style: "offset", total: 100, pageSize: 10 },
      { paginator: { type: "offset", limit: 10, maximumOffset: 30 }, dataSelector: "items" },
    );
    expect(ids(items)).toEqual(range(30));
  });

  it("page_number with totalPath (pages) and basePage 1", async () => {
    const { items, requests } = await load(
      { style: "page_number", total: 45, pageSize: 10 },
      { paginator: { type: "page_number", basePage: 1, totalPath: "total_pages" }, dataSelector: "data" },
    );
    expect(ids(items)).toEqual(range(45));
    expect(requests).toHaveLength(5);
  });

  it("page_number with totalItemsPath counts pages from items (Sage's $total)", async () => {
    const { items, requests } = await load(
      { style: "page_number_items", total: 95, pageSize: 20 },
      { paginator: { type: "page_number", basePage: 1, totalItemsPath: "total_items" }, dataSelector: "data" },
    );
    expect(ids(items)).toEqual(range(95));
    expect(requests).toHaveLength(5);
  });

  it("page_number stops when the page reaches maximumPage (dlt's semantics: exclusive)", async () => {
    const { items } = await load(
      { style: "page_number", total: 100, pageSize: 10 },
      { paginator: { type: "page_number", basePage: 1, maximumPage: 3, stopAfterEmptyPage: false }, dataSelector: "data" },
    );
    expect(ids(items)).toEqual(range(20));
  });

  it("hasMorePath decides when set", async () => {
    const { items, requests } = await load(
      { style: "has_more", total: 30, pageSize: 10 },
      {
        paginator: { type: "page_number", basePage: 1, hasMorePath: "has_more", stopAfterEmptyPage: false },
        dataSelector: "items",
      },
    );
    expect(ids(items)).toEqual(range(30));
    expect(requests).toHaveLength(3);
  });

  it("single_page makes one request", async () => {
    const { items, requests } = await load(
      { style: "json_link", total: 45, pageSize: 10 },
      { paginator: "single_page", dataSelector: "data" },
    );
    expect(items).toHaveLength(10);
    expect(requests).toHaveLength(1);
  });

  it("a total that only the first page carries is kept (dlt #1414)", async () => {
    const path = `/d${++n}`;
    server.route("GET", path, (req) => {
      const page = Number(req.query.get("page") ?? 1);
      const data = page <= 3 ? [{ id: page }] : [];
      return { body: page === 1 ? { data, total_pages: 3 } : { data } };
    });
    const [r] = build({
      client: { baseUrl: server.url },
      resources: [
        {
          name: "t",
          endpoint: {
            path,
            paginator: { type: "page_number", basePage: 1, totalPath: "total_pages", parallel: false },
            dataSelector: "data",
          },
        },
      ],
    });
    expect(ids((await runResource(r!)).items)).toEqual([1, 2, 3]);
  });

  it("a totalPath missing from the first response fails with the keys it saw", async () => {
    const path = `/d${++n}`;
    server.route("GET", path, () => ({ body: { data: [{ id: 1 }], count: 1 } }));
    const [r] = build({
      client: { baseUrl: server.url },
      resources: [
        { name: "t", endpoint: { path, paginator: { type: "page_number", totalPath: "total" }, dataSelector: "data" } },
      ],
    });
    const err = await runResource(r!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(
      /resource t: page_number\(.*\): total total is not in the response \(keys: data, count\)/,
    );
  });
});

describe("loop guard", () => {
  it("stops when the API hands out a next link that was already fetched", async () => {
    const path = `/d${++n}`;
    server.route("GET", path, (req) => ({
      body: { data: [{ id: req.query.get("page") ?? "1" }], next: `${server.url}${path}?page=2` },
    }));
    const { result, logs } = await captureLogs(async () => {
      const [r] = build({
        client: { baseUrl: server.url },
        resources: [{ name: "loop", endpoint: { path, paginator: "json_link", dataSelector: "data" } }],
      });
      return runResource(r!);
    });
    expect(result.items).toEqual([{ id: "1" }, { id: "2" }]);
    expect(server.requestsTo(path)).toHaveLength(2);
    expect(
      logs.some(
        (l) =>
          l.level === "warn" &&
          l.message.includes("resource loop: json_link(nextUrlPath=next) asked again for GET") &&
          l.message.includes("endless loop"),
      ),
    ).toBe(true);
  });

  it("stops when a page repeats the previous one (Sage past the end), without loading it twice", async () => {
    const { items, requests, warnings } = await load(
      { style: "sage", total: 45, pageSize: 10, repeatLastPage: true },
      { paginator: { type: "page_number", basePage: 1 }, dataSelector: "$['$items']" },
    );
    expect(ids(items)).toEqual(range(45));
    expect(requests).toHaveLength(6);
    expect(warnings.some((w) => w.includes("is identical to the previous page"))).toBe(true);
  });

  it("still sees the repeat when a map step changed the previous page's items in place", async () => {
    const path = `/d${++n}`;
    server.dataset(path, { style: "sage", total: 45, pageSize: 10, repeatLastPage: true });
    const [r] = build({
      client: { baseUrl: server.url },
      resources: [
        {
          name: "items",
          endpoint: { path, paginator: { type: "page_number", basePage: 1 }, dataSelector: "$['$items']" },
          processingSteps: [
            {
              map: (it) => {
                it.seen = true;
                return it;
              },
            },
          ],
        },
      ],
    });
    const { result, logs } = await captureLogs(() => runResource(r!));
    expect(ids(result.items)).toEqual(range(45));
    expect(server.requestsTo(path)).toHaveLength(6);
    expect(logs.some((l) => l.level === "warn" && l.message.includes("is identical to the previous page"))).toBe(true);
  });
});

describe("custom paginators and auths (dlt's register_paginator / register_auth)", () => {
  /** Pages by a `from` id: the next request asks for ids after the last one seen. */
  class AfterIdPaginator implements Paginator {
    readonly type = "after_id";
    private last: unknown;
    constructor(private readonly param: string) {}
    init(): void {
      this.last = undefined;
    }
    update(_r: HttpResponse, items: unknown[]): void {
      this.last = items.length > 0 ? (items[items.length - 1] as { id: number }).id : undefined;
    }
    next(request: PageRequest): PageRequest | undefined {
      return this.last === undefined
        ? undefined
        : { ...request, params: { ...request.params, [this.param]: this.last as number } };
    }
    describe(): string {
      return `after_id(${this.param})`;
    }
  }

  it("uses registered types in configs, with their option keys validated", async () => {
    registerPaginator("after_id", {
      create: (o) => new AfterIdPaginator(typeof o.afterParam === "string" ? o.afterParam : "after"),
      keys: { afterParam: "string" },
    });
    registerAuth("x_token", {
      create: (o) => ({ apply: (req: OutgoingRequest) => void (req.headers["x-token"] = String(o.value)) }),
      keys: { value: "secret" },
      required: ["value"],
    });
    const path = `/d${++n}`;
    server.route("GET", path, (req) => {
      const after = Number(req.query.get("after") ?? 0);
      const data = after < 30 ? [after + 1, after + 2, after + 3].map((id) => ({ id, token: req.headers["x-token"] })) : [];
      return { body: { data } };
    });
    const [r] = build({
      client: { baseUrl: server.url, auth: { type: "x_token", value: "tk-1" } as never },
      resources: [{ name: "c", endpoint: { path, paginator: { type: "after_id" } as never, dataSelector: "data" } }],
    });
    const { items } = await runResource(r!);
    expect(ids(items)).toEqual(range(30));
    expect((items[0] as { token: string }).token).toBe("tk-1");
    const err = (() => {
      try {
        restApiSource(
          {
            client: { baseUrl: server.url },
            resources: [{ name: "c", endpoint: { paginator: { type: "after_id", afterParm: "x" } as never } }],
          },
          { resolver: EMPTY_RESOLVER },
        );
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain("resources[0].endpoint.paginator.afterParm: unknown key, did you mean afterParam?");
  });
});
