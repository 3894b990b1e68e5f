import { describe, expect, it } from "vitest";
import { collectRefs, parseTemplate, renderJson, renderString, type PlaceholderRef } from "../../src/rest/placeholders.js";
import { mergeResources } from "../../src/rest/merge.js";
import type { RESTAPIConfig } from "../../src/rest/index.js";

const lookup = (ref: PlaceholderRef) =>
  ref.kind === "resource"
    ? (({ id: 42, slug: "a b/c", nested: { n: 7 } } as Record<string, unknown>)[ref.field.split(".")[0] as string] ??
      (ref.field === "nested.n" ? 7 : undefined))
    : ref.kind === "incremental"
      ? "2024-01-01T00:00:00Z"
      : undefined;

describe("placeholders", () => {
  it("parses resource and incremental placeholders, and {{ }} as literal braces", () => {
    const segs = parseTemplate("issues/{resources.issues.id}/x{{y}}?since={incremental.start_value}");
    expect(segs).toEqual([
      "issues/",
      { kind: "resource", resource: "issues", field: "id", raw: "{resources.issues.id}" },
      "/x{y}?since=",
      { kind: "incremental", key: "start_value", raw: "{incremental.start_value}" },
    ]);
  });

  it("accepts camelCase incremental keys and flags unknown contexts", () => {
    expect(collectRefs("{incremental.startValue}")[0]).toMatchObject({ kind: "incremental", key: "start_value" });
    expect(collectRefs("{resource.issues.id}")[0]).toMatchObject({ kind: "unknown", context: "resource" });
    expect(collectRefs("{incremental.bogus}")[0]).toMatchObject({ kind: "unknown" });
  });

  it("leaves braces that are no placeholder alone (GraphQL bodies need no escaping)", () => {
    expect(renderString("query { viewer { login } }", lookup)).toBe("query { viewer { login } }");
    expect(renderString("{{escaped}}", lookup)).toBe("{escaped}");
  });

  it("URL-encodes values in paths only", () => {
    expect(renderString("items/{resources.p.slug}", lookup, true)).toBe("items/a%20b%2Fc");
    expect(renderString("q={resources.p.slug}", lookup)).toBe("q=a b/c");
  });

  it("keeps the type of a whole-placeholder JSON value, formats the rest", () => {
    expect(
      renderJson({ id: "{resources.p.id}", label: "id-{resources.p.id}", list: ["{resources.p.id}"], n: 1, q: "{{x}}" }, lookup),
    ).toEqual({ id: 42, label: "id-42", list: [42], n: 1, q: "{x}" });
  });
});

describe("defaults merge (dlt's rules)", () => {
  const config: RESTAPIConfig = {
    client: { baseUrl: "https://h" },
    resourceDefaults: {
      primaryKey: "id",
      writeDisposition: "merge",
      columns: { amount: { dataType: "decimal", precision: 18 } },
      endpoint: {
        params: { per_page: 50, sort: "asc" },
        headers: { "X-A": "1" },
        json: { a: 1, b: 2 },
        paginator: { type: "json_link" },
      },
    },
    resources: [
      "plain",
      {
        name: "own",
        writeDisposition: "append",
        columns: { amount: { scale: 2 } },
        endpoint: { path: "x", params: { sort: "desc" }, headers: { "X-B": "2" }, json: { b: 3 } },
      },
      { name: "strpath", endpoint: "somewhere/else" },
      { name: "issue", endpoint: { path: "issues/{resources.plain.id}" } },
    ],
  };
  const merged = mergeResources(config);
  const get = (n: string) => {
    const e = merged.find((m) => m.name === n);
    if (!e || !("config" in e)) throw new Error(n);
    return e.config;
  };

  it("turns a string into { name, endpoint: { path: name } } with the defaults", () => {
    expect(get("plain")).toMatchObject({
      name: "plain",
      primaryKey: "id",
      writeDisposition: "merge",
      endpoint: { path: "plain", method: "GET", params: { per_page: 50, sort: "asc" } },
    });
  });

  it("merges params and json one level, replaces headers, overrides other keys, merges columns per column", () => {
    const own = get("own");
    expect(own.endpoint.params).toEqual({ per_page: 50, sort: "desc" });
    expect(own.endpoint.json).toEqual({ a: 1, b: 3 });
    expect(own.endpoint.headers).toEqual({ "X-B": "2" });
    expect(own.writeDisposition).toBe("append");
    expect(own.columns).toEqual({ amount: { dataType: "decimal", precision: 18, scale: 2 } });
  });

  it("takes an endpoint string as the path", () => {
    expect(get("strpath").endpoint.path).toBe("somewhere/else");
  });

  it("keeps a defaults paginator for a single-entity path, but uses $ and single_page otherwise", () => {
    expect(get("issue").endpoint.paginator).toEqual({ type: "json_link" });
    expect(get("issue").endpoint.dataSelector).toBe("$");
    const bare = mergeResources({
      client: { baseUrl: "https://h" },
      resources: ["p", { name: "one", endpoint: "p/{resources.p.id}" }],
    });
    const one = bare[1];
    expect(one && "config" in one && one.config.endpoint).toMatchObject({ paginator: "single_page", dataSelector: "$" });
  });

  it("rewrites legacy resolve params into placeholders and fills static path params", () => {
    const m = mergeResources({
      client: { baseUrl: "https://h" },
      resources: [
        "issues",
        {
          name: "comments",
          endpoint: {
            path: "repos/{owner}/issues/{issue_number}/comments",
            params: { owner: "dlt", issue_number: { type: "resolve", resource: "issues", field: "number" }, per_page: 5 },
          },
        },
      ],
    })[1];
    expect(m && "config" in m && m.config.endpoint).toMatchObject({
      path: "repos/dlt/issues/{resources.issues.number}/comments",
      params: { per_page: 5 },
    });
  });
});
