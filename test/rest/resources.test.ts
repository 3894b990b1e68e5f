import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError } from "../../src/http/index.js";
import { HttpResponse } from "../../src/http/index.js";
import { FixtureServer } from "../fixtures/http-server.js";
import { runResource, runResources } from "../helpers/run-resource.js";
import { build, byName, ids } from "./helpers.js";

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start();
  server.dataset("/issues", {
    style: "json_link",
    total: 6,
    pageSize: 3,
    item: (i) => ({ number: i + 1, title: `issue ${i + 1}`, repo: { slug: "a b/c" } }),
  });
  server.route("GET", /^\/issues\/\d+\/comments$/, async (req) => {
    const n = Number(req.path.split("/")[2]);
    if (n === 4) return { status: 404, body: { message: "gone" } };
    await new Promise((r) => setTimeout(r, (7 - n) * 10)); // later issues answer first
    return {
      body: {
        data: [
          { id: n * 100 + 1, body: `c1 on ${n}` },
          { id: n * 100 + 2, body: `c2 on ${n}` },
        ],
        next: null,
      },
    };
  });
  server.route("GET", /^\/repos\/.+/, (req) => ({ body: [{ path: req.url }] }));
  server.route("POST", "/search", (req) => ({ body: { results: [{ echo: JSON.parse(req.body) }] } }));
  server.route("GET", "/events", (req) => ({
    body: {
      data: [
        { id: 1, since: req.query.get("since"), end: req.query.get("until"), at: "2024-03-01T00:00:00Z" },
        { id: 2, at: "2024-03-02T00:00:00Z" },
      ],
    },
  }));
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
});

const issues = {
  name: "issues",
  primaryKey: "number",
  endpoint: { path: "issues", paginator: { type: "json_link" as const }, dataSelector: "data" },
};
const comments404 = { responseActions: [{ statusCode: 404, action: "ignore" as const }] };

describe("parent and child resources", () => {
  it("runs the child once per parent item, with includeFromParent and ignore-404", async () => {
    const rs = build({
      client: { baseUrl: server.url },
      resources: [
        issues,
        {
          name: "comments",
          endpoint: { path: "issues/{resources.issues.number}/comments", dataSelector: "data", ...comments404 },
          includeFromParent: ["number", "title"],
        },
      ],
    });
    const { items } = await runResource(byName(rs, "comments"));
    expect(ids(items)).toEqual([101, 102, 201, 202, 301, 302, 501, 502, 601, 602]);
    expect(items[0]).toEqual({ id: 101, body: "c1 on 1", _issues_number: 1, _issues_title: "issue 1" });
  });

  it("fails on a 404 without the ignore action, naming the resource", async () => {
    const rs = build({
      client: { baseUrl: server.url },
      resources: [
        issues,
        { name: "comments", endpoint: { path: "issues/{resources.issues.number}/comments", dataSelector: "data" } },
      ],
    });
    const err = await runResource(byName(rs, "comments")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain("resource comments: GET http://127.0.0.1");
    expect((err as Error).message).toContain("/issues/4/comments failed: 404");
  });

  it("parallelized children overlap their requests and still yield parent by parent", async () => {
    const rs = build({
      client: { baseUrl: server.url },
      resources: [
        issues,
        {
          name: "comments",
          parallelized: true,
          endpoint: { path: "issues/{resources.issues.number}/comments", dataSelector: "data", ...comments404 },
        },
      ],
    });
    const { items } = await runResource(byName(rs, "comments"));
    expect(ids(items)).toEqual([101, 102, 201, 202, 301, 302, 501, 502, 601, 602]);
    expect(server.maxInFlight).toBeGreaterThan(1);
    expect(byName(rs, "comments").hints.parallelized).toBe(true);
  });

  it("URL-encodes parent values in paths and keeps JSON types in bodies", async () => {
    const rs = build({
      client: { baseUrl: server.url },
      resources: [
        issues,
        { name: "repo", endpoint: { path: "repos/{resources.issues.repo.slug}/x", dataSelector: "$" } },
        {
          name: "search",
          endpoint: {
            path: "search",
            method: "POST",
            json: { number: "{resources.issues.number}", q: "#{resources.issues.number}", gql: "{ issue { id } }" },
            dataSelector: "results",
          },
        },
      ],
    });
    const out = await runResources([byName(rs, "repo"), byName(rs, "search")]);
    expect((out.items.get("repo")?.[0] as { path: string }).path).toBe("/repos/a%20b%2Fc/x");
    expect(out.items.get("search")?.[0]).toEqual({ echo: { number: 1, q: "#1", gql: "{ issue { id } }" } });
  });

  it("selected: false on the parent still feeds the child", async () => {
    const rs = build({
      client: { baseUrl: server.url },
      resources: [
        { ...issues, selected: false },
        {
          name: "comments",
          endpoint: { path: "issues/{resources.issues.number}/comments", dataSelector: "data", ...comments404 },
        },
      ],
    });
    expect(byName(rs, "issues").selected).toBe(false);
    expect((await runResource(byName(rs, "comments"))).items).toHaveLength(10);
  });
});

describe("processing steps, hints and response actions", () => {
  it("applies filter, map and yieldMap in order, and passes the hints on", async () => {
    const [r] = build({
      client: { baseUrl: server.url },
      resources: [
        {
          ...issues,
          writeDisposition: "merge",
          tableName: "gh_issues",
          columns: { title: { dataType: "text" } },
          processingSteps: [
            { filter: (i) => (i.number as number) % 2 === 0 },
            { map: (i) => ({ ...i, title: String(i.title).toUpperCase() }) },
            { yieldMap: (i) => [i, { ...i, number: (i.number as number) * 10 }] },
          ],
        },
      ],
    });
    expect(r!.hints).toMatchObject({
      name: "issues",
      primaryKey: "number",
      writeDisposition: "merge",
      tableName: "gh_issues",
      columns: { title: { dataType: "text" } },
    });
    const { items } = await runResource(r!);
    expect(items.map((i) => (i as { number: number }).number)).toEqual([2, 20, 4, 40, 6, 60]);
    expect((items[0] as { title: string }).title).toBe("ISSUE 2");
  });

  it("a content match can ignore a response; a callback can replace it", async () => {
    server.route("GET", "/maybe", () => ({ body: { data: [], message: "no data for this period" } }));
    const [ignored] = build({
      client: { baseUrl: server.url },
      resources: [
        {
          name: "m",
          endpoint: { path: "maybe", paginator: "single_page", responseActions: [{ content: "no data for", action: "ignore" }] },
        },
      ],
    });
    expect((await runResource(ignored!)).items).toEqual([]);
    const [fixed] = build({
      client: { baseUrl: server.url },
      resources: [
        {
          name: "m2",
          endpoint: {
            path: "maybe",
            paginator: "single_page",
            dataSelector: "data",
            responseActions: [
              (res) =>
                new HttpResponse(
                  res.status,
                  res.statusText,
                  res.headers,
                  res.url,
                  JSON.stringify({ data: [{ id: 9 }] }),
                  res.request,
                ),
            ],
          },
        },
      ],
    });
    expect((await runResource(fixed!)).items).toEqual([{ id: 9 }]);
  });
});

describe("incremental", () => {
  it("fills {incremental.start_value} from the cursor, converted, and the engine-side filter sees the cursor", async () => {
    const [r] = build({
      client: { baseUrl: server.url },
      resources: [
        {
          name: "events",
          endpoint: {
            path: "events",
            dataSelector: "data",
            paginator: "single_page",
            params: { since: "{incremental.start_value}" },
            incremental: { cursorPath: "at", initialValue: "2024-01-01T00:00:00Z", convert: (v) => String(v).slice(0, 10) },
          },
        },
      ],
    });
    const first = await runResource(r!);
    expect((first.items[0] as { since: string }).since).toBe("2024-01-01");
    expect(first.cursor?.lastValue).toBe("2024-03-02T00:00:00Z");
    const second = await runResource(r!, {
      incrementalState: { events: { initialValue: "2024-01-01T00:00:00Z", lastValue: "2024-03-02T00:00:00Z", boundaryKeys: [] } },
    });
    expect(server.requests[1]?.query.get("since")).toBe("2024-03-02");
    expect(second.items.map((i) => (i as { id: number }).id)).toEqual([2]);
  });

  it("leaves a whole-placeholder param out when there is no value yet, and supports startParam/endParam", async () => {
    const [r] = build({
      client: { baseUrl: server.url },
      resources: [
        {
          name: "events",
          endpoint: {
            path: "events",
            dataSelector: "data",
            paginator: "single_page",
            params: { since: "{incremental.start_value}" },
            incremental: { cursorPath: "at", endValue: "2024-12-31", startParam: "from", endParam: "until" },
          },
        },
      ],
    });
    await runResource(r!);
    const q = server.requests[0]?.query;
    expect(q?.has("since")).toBe(false);
    expect(q?.get("until")).toBe("2024-12-31");
  });
});
