import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { api, fetchAll, type Envelope, type Rec } from "./helpers.js";

let sb: Sandbox;
let token: string;

beforeAll(async () => {
  sb = await startSandbox({ scale: 0.05, seed: 11 });
  token = sb.issueTokens().access_token;
});
afterAll(() => sb.close());

const enc = encodeURIComponent;

describe("sandbox filters", () => {
  it("updated_or_created_since is inclusive of the given timestamp", async () => {
    const all = sb.store.records(0, "contacts");
    const stamps = all.map((c) => c.updated_at as string).sort();
    const pivot = stamps[Math.floor(stamps.length / 2)]!;
    const expected = all.filter((c) => (c.updated_at as string) >= pivot).map((c) => c.id);
    const { items } = await fetchAll(sb, `/contacts?items_per_page=200&updated_or_created_since=${enc(pivot)}`, token);
    expect(items.map((i) => i.id)).toEqual(expected);
    expect(items.some((i) => sb.store.record(0, "contacts", i.id as string)!.updated_at === pivot)).toBe(true);
    // The same moment written with an offset selects the same rows.
    const local = new Date(Date.parse(pivot) + 3_600_000).toISOString().slice(0, 19) + "+01:00";
    const again = await fetchAll(sb, `/contacts?items_per_page=200&updated_or_created_since=${enc(local)}`, token);
    expect(again.items.map((i) => i.id)).toEqual(expected);
  });

  it("deleted_since is exclusive, and deleted rows leave the normal list", async () => {
    const before = sb.store.count(0, "sales_invoices");
    const change = sb.mutate({ resource: "sales_invoices", updates: 0, deletes: 3 });
    expect(change.deleted).toHaveLength(3);
    const list = await fetchAll(sb, "/sales_invoices?items_per_page=200", token);
    expect(list.items).toHaveLength(before - 3);
    expect(list.items.some((i) => change.deleted.includes(i.id as string))).toBe(false);
    const justBefore = new Date(Date.parse(change.at) - 1000).toISOString();
    const deleted = await api<Envelope>(sb, `/sales_invoices?attributes=all&deleted_since=${enc(justBefore)}`, { token });
    expect(deleted.body.$items.map((i) => i.id).sort()).toEqual([...change.deleted].sort());
    expect(deleted.body.$items.every((i) => i.deleted_at === change.at)).toBe(true);
    const atTheMoment = await api<Envelope>(sb, `/sales_invoices?deleted_since=${enc(change.at)}`, { token });
    expect(atTheMoment.body.$total).toBe(0);
  });

  it("transactions and ledger_entries keep deleted rows with deleted: true and ignore deleted_since", async () => {
    const change = sb.mutate({ resource: "purchase_invoices", updates: 0, deletes: 1 });
    const txIds = change.cascaded.transactions!.deleted;
    expect(txIds).toHaveLength(1);
    expect(change.cascaded.ledger_entries!.deleted.length).toBeGreaterThanOrEqual(2);
    const since = enc(change.at);
    const txs = await api<Envelope>(sb, `/transactions?attributes=deleted,updated_at&updated_or_created_since=${since}`, {
      token,
    });
    expect(txs.body.$items).toEqual([expect.objectContaining({ id: txIds[0], deleted: true, updated_at: change.at })]);
    const entries = await api<Envelope>(sb, `/ledger_entries?attributes=deleted&updated_or_created_since=${since}`, { token });
    expect(entries.body.$items.map((e) => e.id).sort()).toEqual([...change.cascaded.ledger_entries!.deleted].sort());
    expect(entries.body.$items.every((e) => e.deleted === true)).toBe(true);
    // Not a parameter of /transactions: ignored, so the whole list comes back.
    const ignored = await api<Envelope>(sb, `/transactions?deleted_since=${since}`, { token });
    expect(ignored.body.$total).toBe(sb.store.count(0, "transactions"));
  });

  it("from_date and to_date filter the accounting date, both inclusive", async () => {
    const all = sb.store.records(0, "purchase_invoices");
    const dates = all.map((i) => i.date as string).sort();
    const from = dates[10]!;
    const to = dates[40]!;
    const expected = all.filter((i) => (i.date as string) >= from && (i.date as string) <= to).map((i) => i.id);
    const { items } = await fetchAll(sb, `/purchase_invoices?items_per_page=200&from_date=${from}&to_date=${to}`, token);
    expect(items.map((i) => i.id)).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(31);
  });

  it("sorts by the allowed attributes, stably, and refuses others", async () => {
    const desc = await fetchAll(sb, "/sales_invoices?items_per_page=200&attributes=updated_at&sort=updated_at:desc", token);
    const stamps = desc.items.map((i) => i.updated_at as string);
    expect(stamps).toEqual([...stamps].sort().reverse());
    const bad = await api<Rec[]>(sb, "/sales_invoices?sort=total_amount", { token });
    expect(bad.status).toBe(400);
    expect(bad.body[0]).toMatchObject({ $dataCode: "InvalidParameter" });
    const badDate = await api<Rec[]>(sb, "/sales_invoices?updated_or_created_since=last-week", { token });
    expect(badDate.status).toBe(400);
  });

  it("filters by reference ids and searches names and references", async () => {
    const invoices = sb.store.records(0, "sales_invoices");
    const contactId = (invoices[0]!.contact as Rec).id as string;
    const expected = invoices.filter((i) => (i.contact as Rec).id === contactId).map((i) => i.id);
    const byContact = await fetchAll(sb, `/sales_invoices?items_per_page=200&contact_id=${contactId}`, token);
    expect(byContact.items.map((i) => i.id)).toEqual(expected);
    const name = invoices[0]!.contact_name as string;
    const search = await fetchAll(sb, `/sales_invoices?items_per_page=200&search=${enc(name.toUpperCase())}`, token);
    expect(search.items.length).toBeGreaterThanOrEqual(expected.length);
    const customers = await fetchAll(sb, "/contacts?items_per_page=200&attributes=contact_types&contact_type_id=CUSTOMER", token);
    expect(customers.items.length).toBe(
      sb.store.records(0, "contacts").filter((c) => (c.contact_types as Rec[])[0]!.id === "CUSTOMER").length,
    );
  });
});
