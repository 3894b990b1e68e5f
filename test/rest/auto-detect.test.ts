import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectDataSelector, selectItems } from "../../src/rest/index.js";
import { FixtureServer, type DatasetOptions } from "../fixtures/http-server.js";
import { runResource } from "../helpers/run-resource.js";
import { build, captureLogs, ids, range } from "./helpers.js";

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start();
});
afterAll(() => server.close());

let n = 0;
async function auto(dataset: DatasetOptions, baseSuffix = "") {
  const path = `/a${++n}`;
  server.dataset(`${baseSuffix}${path}`, dataset);
  const [r] = build({ client: { baseUrl: `${server.url}${baseSuffix}` }, resources: [{ name: "things", endpoint: { path } }] });
  const { result, logs } = await captureLogs(() => runResource(r!));
  return { resource: r!, items: result.items, logs, requests: server.requestsTo(`${baseSuffix}${path}`) };
}

describe("paginator auto-detection", () => {
  it("recognises Sage's $next (relative to /v3.1) and $items", async () => {
    const { items, requests } = await auto({ style: "sage", total: 45, pageSize: 20, linkBase: "/v3.1" }, "/v3.1");
    expect(ids(items)).toEqual(range(45));
    expect(requests).toHaveLength(3);
  });

  it("recognises @odata.nextLink and the value list", async () => {
    const { items } = await auto({ style: "odata", total: 25, pageSize: 10 });
    expect(ids(items)).toEqual(range(25));
  });

  it("recognises links.next", async () => {
    const { items } = await auto({ style: "links_next", total: 25, pageSize: 10 });
    expect(ids(items)).toEqual(range(25));
  });

  it("recognises a Link header and a next URL key, as dlt does", async () => {
    expect(ids((await auto({ style: "header_link", total: 25, pageSize: 10 })).items)).toEqual(range(25));
    expect(ids((await auto({ style: "json_link", total: 25, pageSize: 10 })).items)).toEqual(range(25));
  });

  it("guesses page numbers from total_pages, starting after the current page, and asks to verify", async () => {
    const { items, logs, requests } = await auto({ style: "page_number", total: 25, pageSize: 10 });
    expect(ids(items)).toEqual(range(25));
    expect(requests).toHaveLength(3);
    expect(
      logs.some(
        (l) =>
          l.level === "warn" &&
          /auto-detected paginator page_number\(basePage=1, totalPath=total_pages\)/.test(l.message) &&
          l.message.includes("verify"),
      ),
    ).toBe(true);
  });

  it("guesses a cursor from cursors.next and asks to verify", async () => {
    const { items, logs } = await auto({ style: "cursor", total: 25, pageSize: 10 });
    expect(ids(items)).toEqual(range(25));
    expect(
      logs.some((l) => l.level === "warn" && l.message.includes("cursor(cursorPath=cursors.next, cursorParam=cursor)")),
    ).toBe(true);
  });

  it("falls back to single_page loudly, once per resource, when the data is a list", async () => {
    const { resource, items, logs } = await auto({ style: "plain_list", total: 50, pageSize: 10 });
    expect(items).toHaveLength(10);
    const warnings = logs.filter((l) => l.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain("resource things: no paginator is configured and none was recognised");
    expect(warnings[0]?.message).toContain("the chosen paginator is single_page and only this first page (10 items) is loaded");
    const again = await captureLogs(() => runResource(resource));
    expect(again.logs.filter((l) => l.level === "warn")).toHaveLength(0);
  });

  it("stays quiet for a single object", async () => {
    const path = `/a${++n}`;
    server.route("GET", path, () => ({ body: { id: 1, name: "me" } }));
    const [r] = build({ client: { baseUrl: server.url }, resources: [{ name: "me", endpoint: { path } }] });
    const { result, logs } = await captureLogs(() => runResource(r!));
    expect(result.items).toEqual([{ id: 1, name: "me" }]);
    expect(logs.filter((l) => l.level === "warn")).toHaveLength(0);
  });
});

describe("dataSelector auto-detection", () => {
  it("prefers data-like names, including $items, Results and value", () => {
    expect(detectDataSelector({ $total: 2, $next: null, $items: [1] })).toBe("$['$items']");
    expect(detectDataSelector({ TotalResults: 1, ReturnedResults: 1, Results: [1] })).toBe("Results");
    expect(detectDataSelector({ tags: ["a"], data: [1] })).toBe("data");
    expect(detectDataSelector({ "@odata.context": "x", value: [1] })).toBe("value");
  });

  it("takes the first list otherwise, never one under meta/links, up to three keys deep", () => {
    expect(detectDataSelector({ meta: { warnings: [] }, things: [1] })).toBe("things");
    expect(detectDataSelector({ a: { b: { c: [1] } } })).toBe("a.b.c");
    expect(detectDataSelector({ a: { b: { c: { d: [1] } } } })).toBe("$");
    expect(detectDataSelector({ id: 1 })).toBe("$");
    expect(detectDataSelector([1, 2])).toBe("$");
  });

  it("selects with bracket keys, unwraps one match, wraps a lone object, empties null", () => {
    expect(selectItems({ $items: [{ id: 1 }] }, "$['$items']").items).toEqual([{ id: 1 }]);
    expect(selectItems({ data: { id: 1 } }, "data").items).toEqual([{ id: 1 }]);
    expect(selectItems({ data: null }, "data")).toEqual({ items: [], matched: true });
    expect(selectItems({ other: [] }, "data")).toEqual({ items: [], matched: false });
    expect(selectItems({ groups: [{ rows: [1] }, { rows: [2] }] }, "groups[*].rows").items).toEqual([[1], [2]]);
  });
});
