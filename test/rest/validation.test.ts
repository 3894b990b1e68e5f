import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/util/errors.js";
import { restApiSource, type RESTAPIConfig } from "../../src/rest/index.js";
import { resource } from "../../src/extract/index.js";
import { FixtureServer } from "../fixtures/http-server.js";
import { EMPTY_RESOLVER } from "./helpers.js";

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start();
});
afterAll(() => server.close());

function problems(config: unknown): string {
  try {
    restApiSource(config as RESTAPIConfig, { resolver: EMPTY_RESOLVER });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

const base = () => ({ client: { baseUrl: "" } });

describe("config validation, before any request", () => {
  it("names the path of a misspelt key and suggests the right one", () => {
    const msg = problems({
      client: { baseUrl: server.url },
      resources: ["a", "b", { name: "c", endpoint: { path: "c", dataSelecter: "items" } }],
    });
    expect(msg).toContain("resources[2].endpoint.dataSelecter: unknown key, did you mean dataSelector?");
    expect(server.requests).toHaveLength(0);
  });

  it("points dlt users from snake_case to camelCase", () => {
    const msg = problems({
      client: { base_url: "https://x" },
      resources: [{ name: "a", endpoint: { data_selector: "x", paginator: { type: "json_link", next_url_path: "n" } } }],
    });
    expect(msg).toContain("client.base_url: unknown key, did you mean baseUrl? (keys are camelCase)");
    expect(msg).toContain("client.baseUrl: required");
    expect(msg).toContain("resources[0].endpoint.data_selector: unknown key, did you mean dataSelector? (keys are camelCase)");
    expect(msg).toContain(
      "resources[0].endpoint.paginator.next_url_path: unknown key, did you mean nextUrlPath? (keys are camelCase)",
    );
  });

  it("reports every problem at once, with types and allowed values", () => {
    const msg = problems({
      client: { baseUrl: "https://x", paginator: { type: "json_lnk" }, auth: { type: "bearer", tokn: "t" } },
      resourceDefaults: { writeDisposition: "upsert" },
      resources: [{ name: "a", endpoint: { method: "PATCH", params: { a: { nested: 1 } } }, primaryKey: 5 }],
    });
    expect(msg).toMatch(/^REST API config has 6 problems:/);
    expect(msg).toContain(
      'client.paginator.type: must be one of json_link, header_link, header_cursor, cursor, offset, page_number, single_page, auto, got "json_lnk", did you mean json_link?',
    );
    expect(msg).toContain("client.auth.tokn: unknown key, did you mean token?");
    expect(msg).toContain('resourceDefaults.writeDisposition: must be one of append, replace, merge, got "upsert"');
    expect(msg).toContain('resources[0].endpoint.method: must be one of GET, POST, got "PATCH"');
    expect(msg).toContain("resources[0].endpoint.params.a: must be a string, number, boolean, list or");
    expect(msg).toContain("resources[0].primaryKey: must be a string or a list of strings, got a number");
  });

  it("checks paginator options per type", () => {
    expect(problems({ ...base(), resources: [{ name: "a", endpoint: { path: "https://x/a", paginator: "offset" } }] })).toContain(
      'resources[0].endpoint.paginator: the offset paginator needs limit; write { type: "offset", limit: ... }',
    );
    expect(
      problems({
        ...base(),
        resources: [
          { name: "a", endpoint: { path: "https://x/a", paginator: { type: "page_number", stopAfterEmptyPage: false } } },
        ],
      }),
    ).toContain(
      "needs a way to stop: set one of totalPath, totalItemsPath, maximumPage, hasMorePath or stopAfterEmptyPage: true",
    );
    expect(
      problems({
        ...base(),
        resources: [{ name: "a", endpoint: { path: "https://x/a", paginator: { type: "offset", limit: -1 } } }],
      }),
    ).toContain("limit must be a positive integer");
    expect(
      problems({ ...base(), resources: [{ name: "a", endpoint: { path: "https://x/a", dataSelector: "a..b" } }] }),
    ).toContain("resources[0].endpoint.dataSelector: invalid path");
  });

  it("checks placeholders, parents and dependencies", () => {
    const msg = problems({
      client: { baseUrl: "https://x" },
      resources: [
        "issues",
        "users",
        { name: "comments", endpoint: { path: "issues/{resources.isues.number}/comments" } },
        { name: "both", endpoint: { path: "x/{resources.issues.id}", params: { u: "{resources.users.id}" } } },
        { name: "since", endpoint: { params: { since: "{incremental.start_value}" } } },
        { name: "orphan", includeFromParent: ["id"] },
        { name: "typo", endpoint: { path: "t", json: { a: "{resource.issues.id}" } } },
        { name: "unbound", endpoint: { path: "u/{id}" } },
        { name: "body", endpoint: { path: "b", json: { a: 1 }, data: "x=1" } },
        "issues",
      ],
    });
    expect(msg).toContain(
      "resources[2].endpoint.path: placeholder {resources.isues.number} names no resource, did you mean issues?",
    );
    expect(msg).toContain("resources[3].endpoint: placeholders name several parent resources (issues, users)");
    expect(msg).toContain("resources[4].endpoint.params: placeholder {incremental.start_value} needs endpoint.incremental");
    expect(msg).toContain("resources[5].includeFromParent: orphan has no parent");
    expect(msg).toContain("resources[6].endpoint.json: unknown placeholder {resource.issues.id}");
    expect(msg).toContain("resources[7].endpoint.path: placeholder {id} is not bound");
    expect(msg).toContain("resources[8].endpoint: json and data are mutually exclusive");
    expect(msg).toContain("resources[9]: resource issues is already defined (resources[0])");
  });

  it("finds dependency cycles", () => {
    const msg = problems({
      client: { baseUrl: "https://x" },
      resources: [
        { name: "a", endpoint: "a/{resources.b.id}" },
        { name: "b", endpoint: "b/{resources.a.id}" },
      ],
    });
    expect(msg).toContain("resources: dependency cycle a -> b -> a");
  });

  it("checks the base URL, and absolute paths when it is empty", () => {
    expect(problems({ client: { baseUrl: "api.example.com" }, resources: ["a"] })).toContain(
      'client.baseUrl: "api.example.com" is not an absolute http(s) URL',
    );
    expect(problems({ client: { baseUrl: "" }, resources: ["a"] })).toContain(
      'resources[0].endpoint.path: client.baseUrl is empty, so the path must be an absolute URL, got "a"',
    );
  });

  it("accepts plain resources as parents", () => {
    const seed = resource(
      function* () {
        yield [{ id: 1 }];
      },
      { name: "seed" },
    );
    const src = restApiSource(
      {
        client: { baseUrl: "https://x" },
        resources: [seed, { name: "child", endpoint: "c/{resources.seed.id}", includeFromParent: ["id"] }],
      },
      { resolver: EMPTY_RESOLVER },
    );
    expect([...src.resources.keys()]).toEqual(["seed", "child"]);
    expect(src.resources.get("child")?.parent).toBe(seed);
  });

  it("says which auth fields are missing and where to put them", () => {
    const msg = problems({ client: { baseUrl: "https://x", auth: "api_key" }, resources: ["a"] });
    expect(msg).toContain("client.auth: api_key auth is missing apiKey");
  });
});
