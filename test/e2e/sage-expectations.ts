import { expect } from "vitest";
import type { Pipeline } from "../../src/pipeline/index.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { DEFAULT_RESOURCES } from "../../src/sage/index.js";

/**
 * What every Sage e2e into a warehouse checks (sage-warehouses.test.ts, sage-bigquery.test.ts):
 * the dataset holds exactly what the sandbox's API serves (counts per resource, decimals, dates,
 * child lines), and after a mutation and an incremental run exactly the changed state.
 */
interface ApiInvoice {
  id: string;
  total_amount: string;
  date: string;
  updated_at: string;
  contact: { id: string };
  invoice_lines: unknown[];
}

export type Dataset = ReturnType<Pipeline["dataset"]>;

export async function expectExactlyTheApi(sb: Sandbox, ds: Dataset): Promise<void> {
  const businesses = sb.store.businesses;
  for (const name of DEFAULT_RESOURCES.filter((n) => n !== "financial_settings")) {
    const expected = businesses.reduce((a, b) => a + sb.store.count(b.id, name), 0);
    const got = await ds
      .sql(`select count(*) as n from ${name}`)
      .rows()
      .catch(() => [{ n: 0 }]);
    expect(Number(got[0]!.n), name).toBe(expected);
  }
  expect(await ds.table("financial_settings").count()).toBe(2);
  const b0 = businesses[0]!.id;
  const api = sb.store.records(b0, "sales_invoices") as unknown as ApiInvoice[];
  const rows = await ds
    .sql(`select id, total_amount, date, contact__id, updated_at from sales_invoices where business_id = '${b0}' order by id`)
    .rows();
  const byId = new Map(rows.map((row) => [row.id, row]));
  expect(byId.size).toBe(api.length);
  for (const inv of api) {
    const row = byId.get(inv.id)!;
    // Exact decimals: the stored text is the API's number with scale 9.
    expect(String(row.total_amount)).toMatch(/^-?\d+\.\d{9}$/);
    expect(String(row.total_amount).replace(/0+$/, "").replace(/\.$/, "")).toBe(
      inv.total_amount.replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, ""),
    );
    expect(row.date).toBe(inv.date);
    expect(row.contact__id).toBe(inv.contact.id);
    expect((row.updated_at as Date).toISOString().replace(".000Z", "Z")).toBe(inv.updated_at);
  }
  const lineCounts = await ds
    .sql(
      `select i.id, count(l._dlt_id) as n from sales_invoices i left join sales_invoices__invoice_lines l on l._dlt_root_id = i._dlt_id where i.business_id = '${b0}' group by i.id`,
    )
    .rows();
  expect(lineCounts).toHaveLength(api.length);
  for (const lc of lineCounts) expect(Number(lc.n)).toBe(api.find((a) => a.id === lc.id)!.invoice_lines.length);
}

export async function expectTheMutation(
  sb: Sandbox,
  ds: Dataset,
  before: number,
  change: { updated: string[]; deleted: string[] },
): Promise<void> {
  const b0 = sb.store.businesses[0]!.id;
  const live = await ds.sql(`select count(*) as n from sales_invoices where business_id = '${b0}' and deleted_at is null`).rows();
  expect(Number(live[0]!.n)).toBe(before + 3 - 2);
  expect(Number(live[0]!.n)).toBe(sb.store.count(b0, "sales_invoices"));
  const deleted = await ds
    .sql(`select id from sales_invoices where business_id = '${b0}' and deleted_at is not null order by id`)
    .rows();
  expect(deleted.map((d) => d.id)).toEqual([...change.deleted].sort());
  for (const id of change.updated) {
    const api = sb.store.record(b0, "sales_invoices", id) as unknown as ApiInvoice;
    const row = (await ds.sql(`select total_amount, updated_at from sales_invoices where id = '${id}'`).rows())[0]!;
    expect(Number(row.total_amount)).toBe(Number(api.total_amount));
    expect((row.updated_at as Date).toISOString().replace(".000Z", "Z")).toBe(api.updated_at);
  }
  // Every line belongs to a stored invoice: the merge replaced the updated invoices' lines.
  const orphans = await ds
    .sql(
      "select count(*) as n from sales_invoices__invoice_lines l where not exists (select 1 from sales_invoices i where i._dlt_id = l._dlt_root_id)",
    )
    .rows();
  expect(Number(orphans[0]!.n)).toBe(0);
}

export function sandboxAuth(sb: Sandbox) {
  return {
    baseUrl: sb.apiBaseUrl,
    tokenUrl: sb.tokenUrl,
    clientId: sb.options.clientId,
    clientSecret: sb.options.clientSecret,
    refreshToken: sb.issueTokens("readonly").refresh_token,
  };
}
