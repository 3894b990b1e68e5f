import { join } from "node:path";
import { type Destination, type DestinationClient, SqlJobClient } from "../../src/destinations/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { sageAccountingSource } from "../../src/sage/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { SECONDS_PER_DAY } from "../../src/sandbox/format.js";
import type { SandboxState } from "../../src/sandbox/state.js";
import { artefactTotals } from "../../src/sandbox/world/amounts.js";
import { postingsFor } from "../../src/sandbox/world/ledger.js";
import type {
  AllocationData,
  ArtefactData,
  LedgerAccountData,
  LedgerEntryData,
  PaymentData,
  TransactionData,
} from "../../src/sandbox/world/types.js";
import type { World } from "../../src/sandbox/world/world.js";
import { emptyConfig } from "../helpers/tmp-pipeline.js";

/** A sandbox with three businesses: year ends in March (GBP), December (EUR) and February (CAD, leap years). */
export async function startBooksSandbox(): Promise<Sandbox> {
  return startSandbox({ port: 0, businesses: 3, scale: 0.02, seed: 7 });
}

/** Load the whole default Sage source from the sandbox into `destination`, as `run` would. */
export async function loadSandbox(
  sb: Sandbox,
  dir: string,
  destination: Destination,
  pipelineName: string,
  datasetName = "books",
): Promise<Pipeline> {
  const info = sb.info();
  const src = sageAccountingSource(
    {
      baseUrl: sb.apiBaseUrl,
      tokenUrl: sb.tokenUrl,
      clientId: info.clientId,
      clientSecret: sb.options.clientSecret,
      refreshToken: sb.issueTokens("readonly").refresh_token,
      tokenStore: join(dir, `${pipelineName}-tokens.json`),
    },
    emptyConfig(),
  );
  const p = new Pipeline({
    pipelineName,
    datasetName,
    destination,
    pipelinesDir: join(dir, "pipelines"),
    config: emptyConfig(),
  });
  await p.run(src);
  return p;
}

const iso = (day: number) => new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);
const monthOf = (day: number) => `${iso(day).slice(0, 7)}-01`;
/** Last day of `month` (1-12) of `year`, ISO. */
const monthEnd = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);

/** The financial year (its last day) a date falls in, for a year ending on the last day of `yearEndMonth`. */
export function financialYearEnd(date: string, yearEndMonth: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return monthEnd(m > yearEndMonth ? y + 1 : y, yearEndMonth);
}

const P_AND_L = new Set(["SALES", "OTHER_INCOME", "DIRECT_EXPENSES", "OVERHEADS", "DEPRECIATION"]);

export interface ExpectedBooks {
  businessId: string;
  currency: string;
  yearEndMonth: number;
  latestMonth: string;
  /** Net debit-positive cents per nominal code over all time. */
  balances: Map<number, number>;
  /** Profit (credit minus debit, cents) per financial year end. */
  profitByYear: Map<string, number>;
  /** At the latest month: current-year earnings and retained earnings, cents (credit-positive). */
  currentYearEarnings: number;
  retainedEarnings: number;
}

function worldsOf(sb: Sandbox): Array<{ w: World; id: string }> {
  // The sandbox's own records in memory: what the tests compare the models against.
  const state = (sb as unknown as { state: SandboxState }).state;
  return state.businesses.map((b) => ({ w: state.world(b), id: b.id }));
}

/** The books computed from the sandbox's world objects: its postings, not the API or the models. */
export function expectedBooks(sb: Sandbox): ExpectedBooks[] {
  return worldsOf(sb).map(({ w, id }) => {
    const accounts = w.table<LedgerAccountData>("ledger_accounts");
    const txs = w.table<TransactionData>("transactions");
    const balances = new Map<number, number>();
    const entries: Array<{ month: string; date: string; pl: boolean; net: number }> = [];
    for (const e of w.table<LedgerEntryData>("ledger_entries").rows) {
      if (e.gone || e.deletedAt !== null) continue;
      const tx = txs.at(e.d.tx);
      if (tx.gone || tx.deletedAt !== null) continue;
      const p = postingsFor(w, tx.d.src, tx.d.seq)[e.d.k]!;
      const account = accounts.at(p.ledger).d;
      const day = w.table<{ date: number }>(tx.d.src).at(tx.d.seq).d.date;
      balances.set(account.nominal, (balances.get(account.nominal) ?? 0) + p.debit - p.credit);
      entries.push({ month: monthOf(day), date: iso(day), pl: P_AND_L.has(account.type), net: p.credit - p.debit });
    }
    const latestMonth = entries.reduce((m, e) => (e.month > m ? e.month : m), "");
    const ye = w.business.yearEndMonth;
    const profitByYear = new Map<string, number>();
    const currentYear = financialYearEnd(latestMonth, ye);
    let currentYearEarnings = 0;
    let retainedEarnings = 0;
    for (const e of entries) {
      if (!e.pl) continue;
      const fy = financialYearEnd(e.date, ye);
      profitByYear.set(fy, (profitByYear.get(fy) ?? 0) + e.net);
      if (fy === currentYear) currentYearEarnings += e.net;
      else if (fy < currentYear) retainedEarnings += e.net;
    }
    return {
      businessId: id,
      currency: w.currency,
      yearEndMonth: ye,
      latestMonth,
      balances,
      profitByYear,
      currentYearEarnings,
      retainedEarnings,
    };
  });
}

const SALES_DOCS = [
  ["sales_invoices", 1],
  ["sales_quick_entries", 1],
  ["sales_credit_notes", -1],
] as const;

/** Aged debtors per business and bucket, in document-currency cents, as of `asOf` (YYYY-MM-DD). */
export function expectedArAging(sb: Sandbox, asOf: string): Map<string, Map<string, number>> {
  const asOfDay = Math.floor(Date.parse(asOf) / 1000 / SECONDS_PER_DAY);
  const out = new Map<string, Map<string, number>>();
  for (const { w, id } of worldsOf(sb)) {
    // What was settled on or before the as-of date, per document.
    const settled = new Map<string, number>();
    const settle = (res: string, seq: number, cents: number) => {
      settled.set(`${res}:${seq}`, (settled.get(`${res}:${seq}`) ?? 0) + Math.abs(cents));
    };
    for (const r of w.table<PaymentData>("contact_payments").rows) {
      if (r.gone || r.deletedAt !== null || r.d.date > asOfDay) continue;
      for (const a of r.d.allocs) settle(a.res, a.seq, a.cents);
    }
    for (const r of w.table<AllocationData>("contact_allocations").rows) {
      if (r.gone || r.deletedAt !== null || r.d.date > asOfDay) continue;
      for (const a of r.d.allocs) settle(a.res, a.seq, a.cents);
    }
    const buckets = new Map<string, number>();
    for (const [table, sign] of SALES_DOCS) {
      for (const r of w.table<ArtefactData>(table).rows) {
        if (r.gone || r.deletedAt !== null || r.d.date > asOfDay) continue;
        const outstanding = artefactTotals(w, r.d).total - (settled.get(`${table}:${r.seq}`) ?? 0);
        if (outstanding === 0) continue;
        const age = asOfDay - r.d.date;
        const bucket = age <= 30 ? "0-30" : age <= 60 ? "31-60" : age <= 90 ? "61-90" : "90+";
        buckets.set(bucket, (buckets.get(bucket) ?? 0) + sign * outstanding);
      }
    }
    out.set(id, buckets);
  }
  return out;
}

/** Exact cents of a DECIMAL result ("1234.560000000"); throws on a fraction of a cent. */
export function cents(value: unknown): number {
  if (typeof value !== "string") throw new Error(`not a decimal string: ${JSON.stringify(value)}`);
  const text = value;
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = (m[3] ?? "").padEnd(9, "0");
  if (/[1-9]/.test(frac.slice(2))) throw new Error(`${text} has a fraction of a cent`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(frac.slice(0, 2)));
}

/** Write to the dataset behind the models' back (to break the books on purpose). */
export async function tamper(client: DestinationClient, sql: string): Promise<void> {
  if (!(client instanceof SqlJobClient)) throw new Error("tamper needs a SQL destination");
  await client.transaction((conn) => conn.execute(sql));
}
