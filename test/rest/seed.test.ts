import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restApiSource, type RESTAPIConfig } from "../../src/rest/index.js";
import { FixtureServer } from "../fixtures/http-server.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";
import { EMPTY_RESOLVER, FAST_RETRY } from "./helpers.js";

/**
 * The seed example, as written, against a local server that answers its two paths in
 * that shape (a named list per endpoint, paged with next links) — run through the pipeline
 * into DuckDB.
 */
let server: FixtureServer;
const dir = tempDir();
const accessToken = "seed-access-token-1234";

beforeAll(async () => {
  server = await FixtureServer.start();
  const paged =
    (name: string, total: number, size: number, linkStyle: "links" | "next") =>
    (req: { query: URLSearchParams; path: string; headers: Record<string, unknown> }) => {
      if (req.headers.authorization !== `Bearer ${accessToken}`) return { status: 401, body: { message: "unauthorised" } };
      const page = Number(req.query.get("page") ?? 1);
      const rows = Array.from({ length: Math.max(0, Math.min(size, total - (page - 1) * size)) }, (_, k) => {
        const id = (page - 1) * size + k + 1;
        return { id, reference: `${name}-${id}`, amount: id * 10.5, lines: [{ sku: `s${id}`, qty: 1 }] };
      });
      const next = page * size < total ? `${req.path}?page=${page + 1}` : null;
      return { body: linkStyle === "links" ? { [name]: rows, links: { self: req.path, next } } : { [name]: rows, total, next } };
    };
  server.route("GET", "/api/v3/invoices", paged("invoices", 45, 20, "links"));
  server.route("GET", "/api/v3/contacts", paged("contacts", 30, 20, "next"));
});
afterAll(() => server.close());

describe("the seed example", () => {
  it("runs as written and loads every page of both resources into DuckDB", async () => {
    const config: RESTAPIConfig = {
      client: { baseUrl: server.url, auth: { type: "bearer", token: accessToken } },
      resources: [
        { name: "invoices", endpoint: { path: "api/v3/invoices", dataSelector: "invoices" } },
        { name: "contacts", endpoint: { path: "api/v3/contacts", dataSelector: "contacts" } },
      ],
    };
    const p = duckPipeline(dir, { pipelineName: "seed" });
    const info = await p.run(restApiSource(config, { resolver: EMPTY_RESOLVER, retry: FAST_RETRY }));
    expect(info.hasFailedJobs).toBe(false);
    expect(await p.dataset().table("invoices").count()).toBe(45);
    expect(await p.dataset().table("contacts").count()).toBe(30);
    expect(await p.dataset().table("invoices__lines").count()).toBe(45);
    expect(server.requestsTo("/api/v3/invoices")).toHaveLength(3);
    expect(server.requestsTo("/api/v3/contacts")).toHaveLength(2);
  });
});
