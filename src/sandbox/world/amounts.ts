import { roundCents, taxOf, toBase } from "../format.js";
import type { Table } from "./table.js";
import type { ArtefactData, LedgerAccountData, LineData, TaxRateData } from "./types.js";
import type { World } from "./world.js";

export interface LineAmounts {
  gross: number;
  discount: number;
  net: number;
  tax: number;
  total: number;
  bp: number;
  baseNet: number;
  baseTax: number;
  baseTotal: number;
  basePrice: number;
  baseDiscount: number;
}

export interface TaxGroup {
  tax: number;
  net: number;
  taxAmount: number;
  total: number;
  goods: number;
  services: number;
}

export interface ArtefactTotals {
  net: number;
  tax: number;
  total: number;
  qty: number;
  discount: number;
  baseNet: number;
  baseTax: number;
  baseTotal: number;
  baseDiscount: number;
  lines: LineAmounts[];
  byTax: TaxGroup[];
}

export function taxRate(w: World, seq: number): TaxRateData {
  return w.table<TaxRateData>("tax_rates").at(seq).d;
}

export function lineAmounts(w: World, line: LineData, rate: number): LineAmounts {
  const gross = roundCents((line.qty * line.price) / 100);
  const net = gross - line.discount;
  const bp = taxRate(w, line.tax).bp;
  const tax = taxOf(net, bp);
  const baseNet = toBase(net, rate);
  const baseTax = toBase(tax, rate);
  return {
    gross,
    discount: line.discount,
    net,
    tax,
    total: net + tax,
    bp,
    baseNet,
    baseTax,
    baseTotal: baseNet + baseTax,
    basePrice: toBase(line.price, rate),
    baseDiscount: toBase(line.discount, rate),
  };
}

/** Header amounts are sums of the lines, so lines always add up to net/tax/total. */
export function artefactTotals(w: World, d: ArtefactData): ArtefactTotals {
  const lines = d.lines.map((l) => lineAmounts(w, l, d.rate));
  const byTax = new Map<number, TaxGroup>();
  const t: ArtefactTotals = {
    net: 0,
    tax: 0,
    total: 0,
    qty: 0,
    discount: 0,
    baseNet: 0,
    baseTax: 0,
    baseTotal: 0,
    baseDiscount: 0,
    lines,
    byTax: [],
  };
  d.lines.forEach((line, i) => {
    const a = lines[i]!;
    t.net += a.net;
    t.tax += a.tax;
    t.total += a.total;
    t.qty += line.qty;
    t.discount += a.discount;
    t.baseNet += a.baseNet;
    t.baseTax += a.baseTax;
    t.baseTotal += a.baseTotal;
    t.baseDiscount += a.baseDiscount;
    const g = byTax.get(line.tax) ?? { tax: line.tax, net: 0, taxAmount: 0, total: 0, goods: 0, services: 0 };
    g.net += a.net;
    g.taxAmount += a.tax;
    g.total += a.total;
    if (line.itemKind === "services") g.services += a.net;
    else g.goods += a.net;
    byTax.set(line.tax, g);
  });
  t.byTax = [...byTax.values()];
  return t;
}

/** Amount still to be paid or allocated. */
export function outstanding(w: World, d: ArtefactData): number {
  return artefactTotals(w, d).total - d.paid - d.allocated;
}

export function statusCode(total: number, settled: number): "PAID" | "PART_PAID" | "UNPAID" {
  if (settled <= 0) return "UNPAID";
  return settled >= total ? "PAID" : "PART_PAID";
}

const roleCache = new WeakMap<Table, Map<string, number>>();

/** The ledger account playing a role in the chart (`debtors`, `bank_current`, ...). */
export function ledgerByRole(w: World, role: string): number {
  const table = w.table<LedgerAccountData>("ledger_accounts");
  let map = roleCache.get(table as Table);
  if (!map) {
    map = new Map();
    for (const r of table.rows) if (r.d.role && !map.has(r.d.role)) map.set(r.d.role, r.seq);
    roleCache.set(table as Table, map);
  }
  const seq = map.get(role);
  if (seq === undefined) throw new Error(`no ledger account with role ${role}`);
  return seq;
}

export function ledgersByRole(w: World, role: string): number[] {
  return w
    .table<LedgerAccountData>("ledger_accounts")
    .rows.filter((r) => r.d.role === role)
    .map((r) => r.seq);
}
