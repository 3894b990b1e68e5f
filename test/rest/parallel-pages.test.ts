import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/index.js";
import { restApiResources, restApiSource } from "../../src/rest/index.js";
import { FixtureServer } from "../fixtures/http-server.js";
import { runResource } from "../helpers/run-resource.js";
import { EMPTY_RESOLVER, FAST_RETRY, ids, range } from "./helpers.js";

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start();
  server.dataset("/pages", { style: "page_number", total: 120, pageSize: 10 });
  server.dataset("/offsets", { style: "offset", total: 120, pageSize: 10 });
  server.dataset("/items-total", { style: "page_number_items", total: 115, pageSize: 10 });
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
});

function resourceFor(path: string, paginator: object, dataSelector: string, maxConcurrency = 4) {
  const [r] = restApiResources(
    {
      client: { baseUrl: server.url, limiter: { maxConcurrency } },
      resources: [{ name: "p", endpoint: { path, paginator: paginator as never, dataSelector } }],
    },
    { retry: FAST_RETRY, resolver: EMPTY_RESOLVER },
  );
  return r!;
}

describe("parallel pages", () => {
  it("fetches the remaining pages concurrently within the limiter once page 1 tells the total, in order", async () => {
    server.latencyMs = 50;
    const { items, pages } = await runResource(
      resourceFor("pages", { type: "page_number", basePage: 1, totalPath: "total_pages" }, "data"),
    );
    expect(ids(items)).toEqual(range(120));
    expect(pages).toHaveLength(12);
    expect(server.maxInFlight).toBe(4);
    // Page 1 alone, then pages 2-5 together: they all start before the first of them could answer.
    const starts = server.requests.map((r) => r.at);
    const second = starts.slice(1, 5);
    expect(Math.max(...second) - Math.min(...second)).toBeLessThan(50);
    expect(Math.min(...second) - (starts[0] as number)).toBeGreaterThanOrEqual(45);
  });

  it("does the same for offsets, and for page numbers with an item total", async () => {
    server.latencyMs = 20;
    expect(
      ids((await runResource(resourceFor("offsets", { type: "offset", limit: 10, totalPath: "total" }, "items"))).items),
    ).toEqual(range(120));
    expect(server.maxInFlight).toBe(4);
    server.reset();
    server.latencyMs = 20;
    expect(
      ids(
        (
          await runResource(
            resourceFor("items-total", { type: "page_number", basePage: 1, totalItemsPath: "total_items" }, "data"),
          )
        ).items,
      ),
    ).toEqual(range(115));
    expect(server.maxInFlight).toBe(4);
  });

  it("keeps order when later pages answer first", async () => {
    server.faults("/pages", ["ok", { delayMs: 60 }, { delayMs: 30 }, "ok"]);
    const { items } = await runResource(
      resourceFor("pages", { type: "page_number", basePage: 1, totalPath: "total_pages" }, "data"),
    );
    expect(ids(items)).toEqual(range(120));
  });

  it("retries a failed page in place", async () => {
    server.faults("/pages", ["ok", { status: 503 }, "drop", "truncate"]);
    const { items } = await runResource(
      resourceFor("pages", { type: "page_number", basePage: 1, totalPath: "total_pages" }, "data"),
    );
    expect(ids(items)).toEqual(range(120));
  });

  it("pages one at a time with parallel: false (dlt's behaviour)", async () => {
    server.latencyMs = 5;
    const { items } = await runResource(
      resourceFor("pages", { type: "page_number", basePage: 1, totalPath: "total_pages", parallel: false }, "data"),
    );
    expect(ids(items)).toEqual(range(120));
    expect(server.maxInFlight).toBe(1);
  });

  it("takes the limiter from [sources.<name>.limiter] config when the client sets none", async () => {
    server.latencyMs = 10;
    const resolver = ConfigResolver.fromCwd("/nonexistent", { SOURCES__SAGE__LIMITER__MAX_CONCURRENCY: "2" });
    const src = restApiSource(
      {
        client: { baseUrl: server.url },
        resources: [
          {
            name: "p",
            endpoint: {
              path: "pages",
              dataSelector: "data",
              paginator: { type: "page_number", basePage: 1, totalPath: "total_pages" },
            },
          },
        ],
      },
      { name: "sage", resolver, retry: FAST_RETRY },
    );
    expect(ids((await runResource(src.resources.get("p")!)).items)).toEqual(range(120));
    expect(server.maxInFlight).toBe(2);
  });

  it("stops cleanly when the consumer stops early", async () => {
    server.latencyMs = 20;
    const r = resourceFor("pages", { type: "page_number", basePage: 1, totalPath: "total_pages" }, "data", 2);
    r.addLimit(3);
    const { pages } = await runResource(r);
    expect(pages).toHaveLength(3);
    // Pages already started may finish, but the run does not fetch all twelve.
    expect(server.requests.length).toBeLessThan(12);
  });
});
