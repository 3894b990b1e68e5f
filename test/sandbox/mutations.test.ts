import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MutationError, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { api, cents, fetchAll, type Envelope, type Rec } from "./helpers.js";

let sb: Sandbox;
let token: string;

beforeAll(async () => {
  sb = await startSandbox({ scale: 0.05, seed: 5 });
  token = sb.issueTokens().access_token;
});
afterAll(() => sb.close());

const maxUpdatedAt = (rows: Rec[]) =>
  rows
    .map((r) => r.updated_at as string)
    .sort()
    .at(-1)!;

describe("sandbox mutations", () => {
  it("moves updated_at forward, past every existing timestamp, on each call", async () => {
    const before = maxUpdatedAt(sb.store.records(0, "sales_invoices"));
    const first = sb.mutate({ resource: "sales_invoices", updates: 4 });
    const second = sb.mutate({ resource: "sales_invoices", updates: 2 });
    expect(first.at > before).toBe(true);
    expect(second.at > first.at).toBe(true);
    expect(sb.now()).toBe(second.at);
    expect(first.updated).toHaveLength(4);
    for (const id of second.updated) expect(sb.store.record(0, "sales_invoices", id)!.updated_at).toBe(second.at);
    const since = await fetchAll(
      sb,
      `/sales_invoices?items_per_page=200&updated_or_created_since=${encodeURIComponent(first.at)}`,
      token,
    );
    expect(since.items.map((i) => i.id).sort()).toEqual([...new Set([...first.updated, ...second.updated])].sort());
  });

  it("keeps amounts consistent when an open invoice changes, and re-stamps its postings", () => {
    const open = sb.store.records(0, "sales_invoices").filter((i) => (i.status as Rec).id === "UNPAID");
    expect(open.length).toBeGreaterThan(5);
    let change: ReturnType<typeof sb.mutate> | undefined;
    let target: Rec | undefined;
    for (let i = 0; i < 20 && !target; i++) {
      change = sb.mutate({ resource: "sales_invoices", updates: 1 });
      const id = change.updated[0]!;
      const rec = sb.store.record(0, "sales_invoices", id)!;
      if (open.some((o) => o.id === id)) target = rec;
    }
    expect(target).toBeDefined();
    const before = open.find((o) => o.id === target!.id)!;
    expect(target!.total_amount).not.toBe(before.total_amount);
    const lines = target!.invoice_lines as Rec[];
    expect(lines.reduce((s, l) => s + cents(l.net_amount), 0)).toBe(cents(target!.net_amount));
    expect(lines.reduce((s, l) => s + cents(l.tax_amount), 0)).toBe(cents(target!.tax_amount));
    expect(cents(target!.net_amount) + cents(target!.tax_amount)).toBe(cents(target!.total_amount));
    expect(target!.outstanding_amount).toBe(target!.total_amount);
    const txId = (target!.transaction as Rec).id as string;
    expect(change!.cascaded.transactions!.updated).toEqual([txId]);
    const tx = sb.store.record(0, "transactions", txId)!;
    expect(tx.updated_at).toBe(change!.at);
    const entries = sb.store.records(0, "ledger_entries").filter((e) => (e.transaction as Rec).id === txId);
    expect(entries.length).toBe(change!.cascaded.ledger_entries!.updated.length);
    expect(entries.reduce((s, e) => s + cents(e.debit), 0)).toBe(cents(target!.total_amount));
    expect(entries.reduce((s, e) => s + cents(e.debit) - cents(e.credit), 0)).toBe(0);
  });

  it("creates rows with their transaction, and a payment settles an invoice", async () => {
    const count = sb.store.count(0, "purchase_invoices");
    const made = sb.mutate({ resource: "purchase_invoices", creates: 2 });
    expect(made.created).toHaveLength(2);
    expect(sb.store.count(0, "purchase_invoices")).toBe(count + 2);
    const rec = sb.store.record(0, "purchase_invoices", made.created[0]!)!;
    expect(rec).toMatchObject({ created_at: made.at, updated_at: made.at, date: made.at.slice(0, 10), status: { id: "UNPAID" } });
    expect(made.cascaded.transactions!.created).toHaveLength(2);
    const paid = sb.mutate({ resource: "contact_payments", creates: 1 });
    const payment = sb.store.record(0, "contact_payments", paid.created[0]!)!;
    const [target] = payment.allocated_artefacts as Rec[];
    const artefact = target!.artefact as Rec;
    const table = (artefact.$path as string).split("/")[1]!;
    expect(paid.cascaded[table]!.updated).toEqual([artefact.id]);
    const invoice = sb.store.record(0, table, artefact.id as string)!;
    expect(invoice).toMatchObject({ status: { id: "PAID" }, outstanding_amount: "0.00", updated_at: paid.at });
    expect(target!.amount).toBe(payment.total_amount);
    const listed = await api<Envelope>(
      sb,
      `/contact_payments?attributes=all&updated_or_created_since=${encodeURIComponent(paid.at)}`,
      { token },
    );
    expect(listed.body.$items).toEqual([payment]);
  });

  it("deletes contacts with their addresses and people, and mutates the long tail generically", () => {
    const created = sb.mutate({ resource: "contacts", creates: 1 });
    const removed = sb.mutate({ resource: "contacts", updates: 0, deletes: 1 });
    expect(removed.deleted).toHaveLength(1);
    expect(removed.cascaded.addresses!.deleted.length).toBeGreaterThanOrEqual(1);
    expect(removed.cascaded.contact_persons!.deleted.length).toBeGreaterThanOrEqual(1);
    expect(sb.store.record(0, "contacts", removed.deleted[0]!)!.deleted_at).toBe(removed.at);
    expect(created.cascaded.addresses!.created.length).toBeGreaterThanOrEqual(1);
    const generic = sb.mutate({ resource: "tax_profiles", updates: 1, creates: 1, deletes: 1 });
    expect([generic.updated.length, generic.created.length, generic.deleted.length]).toEqual([1, 1, 1]);
    const ledger = sb.mutate({ business: 1, resource: "ledger_accounts", creates: 1, deletes: 1 });
    expect(ledger.created).toHaveLength(1);
    expect(ledger.deleted).toEqual(ledger.created.length === 1 ? [ledger.created[0]] : []);
    expect(sb.store.record(1, "ledger_accounts", ledger.created[0]!)).toBeUndefined();
    expect(() => sb.mutate({ resource: "financial_settings" })).toThrow(MutationError);
    expect(() => sb.mutate({ resource: "currencies" })).toThrow(MutationError);
  });

  it("is deterministic: the same seed and the same calls give the same changes", async () => {
    const run = async () => {
      const s = await startSandbox({ scale: 0.02, seed: 99 });
      const a = s.mutate({ resource: "sales_invoices", updates: 3, creates: 2, deletes: 1 });
      const b = s.mutate({ business: 1, resource: "journals", updates: 1, creates: 1 });
      const data = s.store.records(0, "sales_invoices");
      await s.close();
      return { a, b, data };
    };
    const [x, y] = [await run(), await run()];
    expect(x).toEqual(y);
  });
});
