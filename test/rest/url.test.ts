import { describe, expect, it } from "vitest";
import { joinUrl, resolveNextUrl } from "../../src/rest/index.js";

describe("joinUrl (dlt's join_url)", () => {
  it("puts the path under the base path, whatever the slashes", () => {
    expect(joinUrl("https://h/v3.1", "contacts")).toBe("https://h/v3.1/contacts");
    expect(joinUrl("https://h/v3.1/", "/contacts")).toBe("https://h/v3.1/contacts");
    expect(joinUrl("https://h/v3.1", "https://other/x")).toBe("https://other/x");
    expect(joinUrl("", "https://other/x")).toBe("https://other/x");
    expect(joinUrl("https://h/v3.1", "")).toBe("https://h/v3.1");
  });
});

describe("resolveNextUrl", () => {
  const base = "https://host/v3.1";
  const current = "https://host/v3.1/contacts?page=1&items_per_page=20";

  it("joins a root-relative link under the base path (Sage's $next); dlt drops /v3.1", () => {
    expect(resolveNextUrl("/contacts?page=2", current, base)).toBe("https://host/v3.1/contacts?page=2");
  });

  it("does not double the base path when the link already has it", () => {
    expect(resolveNextUrl("/v3.1/contacts?page=2", current, base)).toBe("https://host/v3.1/contacts?page=2");
  });

  it("keeps absolute links and resolves other relative forms against the request URL", () => {
    expect(resolveNextUrl("https://cdn/x?page=2", current, base)).toBe("https://cdn/x?page=2");
    expect(resolveNextUrl("?page=3", current, base)).toBe("https://host/v3.1/contacts?page=3");
    expect(resolveNextUrl("//other/p", current, base)).toBe("https://other/p");
  });

  it("resolves against the host root when the base has no path", () => {
    expect(resolveNextUrl("/items?page=2", "https://api.x/items", "https://api.x")).toBe("https://api.x/items?page=2");
  });
});
