import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MutationError, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { api, fetchAll, type Envelope } from "./helpers.js";

let sb: Sandbox;
let token: string;
let lead: string;

beforeAll(async () => {
  sb = await startSandbox({ scale: 0.05, seed: 7 });
  token = sb.issueTokens().access_token;
  lead = sb.store.businesses[0]!.id;
});
afterAll(() => sb.close());

describe("sandbox hard-delete knob (endpoints without deleted_since)", () => {
  it("removes seeded tax rates and ledger accounts from lists, $total and GET by id", async () => {
    for (const resource of ["tax_rates", "ledger_accounts"]) {
      const before = await fetchAll(sb, `/${resource}?items_per_page=200`, token, lead);
      const change = sb.mutate({ resource, hardDeletes: 2 });
      expect(change.deleted).toHaveLength(2);
      expect(change.updated).toEqual([]);
      const after = await fetchAll(sb, `/${resource}?items_per_page=200`, token, lead);
      const ids = after.items.map((i) => i.id);
      for (const id of change.deleted) {
        expect(before.items.some((i) => i.id === id)).toBe(true);
        expect(ids).not.toContain(id);
        expect(sb.store.record(0, resource, id)).toBeUndefined();
        expect((await api(sb, `/${resource}/${id}`, { token, business: lead })).status).toBe(404);
      }
      expect(after.items).toHaveLength(before.items.length - 2);
      expect(after.pages[0]!.$total).toBe(before.pages[0]!.$total - 2);
      expect(sb.store.count(0, resource)).toBe(after.items.length);
      // Nothing tells a client: updated_or_created_since does not list them, deleted_since is ignored here.
      const since = await api<Envelope>(sb, `/${resource}?updated_or_created_since=${encodeURIComponent(change.at)}`, {
        token,
        business: lead,
      });
      expect(since.body.$items).toEqual([]);
      const deleted = await fetchAll(sb, `/${resource}?items_per_page=200&deleted_since=2000-01-01`, token, lead);
      expect(deleted.items.map((i) => i.id)).toEqual(ids);
    }
  });

  it("works on the long tail and through the admin route, and refuses endpoints that soft-delete or flag", async () => {
    const tail = sb.mutate({ business: 1, resource: "tax_profiles", hardDeletes: 1 });
    expect(tail.deleted).toHaveLength(1);
    expect(sb.store.record(1, "tax_profiles", tail.deleted[0]!)).toBeUndefined();

    const res = await fetch(`${sb.url}/__sandbox/mutate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ resource: "tax_rates", hardDeletes: 1 }),
    });
    expect(res.status).toBe(200);
    const viaAdmin = (await res.json()) as { deleted: string[] };
    expect(viaAdmin.deleted).toHaveLength(1);
    expect(sb.store.record(0, "tax_rates", viaAdmin.deleted[0]!)).toBeUndefined();

    expect(() => sb.mutate({ resource: "contacts", hardDeletes: 1 })).toThrow(/deleted_since/);
    expect(() => sb.mutate({ resource: "transactions", hardDeletes: 1 })).toThrow(MutationError);
    expect(() => sb.mutate({ resource: "ledger_entries", hardDeletes: 1 })).toThrow(/deleted: true/);
  });
});
