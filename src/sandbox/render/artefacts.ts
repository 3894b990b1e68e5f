import { isoDate, money, percent, toBase } from "../format.js";
import { hashString, hexId } from "../random.js";
import { artefactTotals, statusCode, type LineAmounts } from "../world/amounts.js";
import { CREDIT_NOTES, QUICK_ENTRIES, SALES_SIDE } from "../world/build-artefacts.js";
import { TRANSACTION_TYPES } from "../world/ledger.js";
import type { Row } from "../world/table.js";
import type {
  AddressData,
  AllocationData,
  ArtefactData,
  ArtefactTable,
  ContactData,
  LineData,
  PaymentData,
} from "../world/types.js";
import type { Rec, World } from "../world/world.js";
import { countryGroup } from "./master.js";
import { head, renderer, stamps, type RenderOptions, type Renderer } from "./renderer.js";

const PREFIXES: Partial<Record<ArtefactTable, string>> = {
  sales_invoices: "SI-",
  sales_credit_notes: "SCN-",
  purchase_credit_notes: "PCN-",
};

function artefactLabel(table: ArtefactTable, d: ArtefactData): string {
  const prefix = PREFIXES[table];
  if (prefix) return `${prefix}${d.number}`;
  return d.reference || `QE-${d.number}`;
}

function taxBreakdown(w: World, line: LineData, amount: number): Rec[] {
  const rate = w.table<{ bp: number }>("tax_rates").at(line.tax).d.bp;
  return [{ tax_rate: w.ref("tax_rates", line.tax), percentage: percent(rate), amount: money(amount) }];
}

function renderLine(w: World, table: ArtefactTable, row: Row<ArtefactData>, line: LineData, a: LineAmounts, i: number): Rec {
  const sales = SALES_SIDE.has(table);
  const out: Rec = {
    id: hexId(...w.idSeed, hashString(`${table}:line`), row.seq, i),
    displayed_as: line.description,
    description: line.description,
  };
  if (line.itemKind === "products" || line.itemKind === "services") {
    out[line.itemKind === "products" ? "product" : "service"] = w.ref(line.itemKind, line.item);
  }
  out.ledger_account = w.ref("ledger_accounts", line.ledger);
  out.trade_of_asset = false;
  out.quantity = money(line.qty);
  out.unit_price = money(line.price);
  out.net_amount = money(a.net);
  out.tax_rate = w.ref("tax_rates", line.tax);
  out.tax_amount = money(a.tax);
  out.tax_breakdown = taxBreakdown(w, line, a.tax);
  out.total_amount = money(a.total);
  out.base_currency_unit_price = money(a.basePrice);
  out.unit_price_includes_tax = false;
  out.base_currency_net_amount = money(a.baseNet);
  out.base_currency_tax_amount = money(a.baseTax);
  out.base_currency_tax_breakdown = taxBreakdown(w, line, a.baseTax);
  out.base_currency_total_amount = money(a.baseTotal);
  out.analysis_type_categories = [];
  if (sales) {
    out.discount_amount = money(a.discount);
    out.base_currency_discount_amount = money(a.baseDiscount);
    out.discount_percentage = percent(a.gross === 0 ? 0 : Math.round((a.discount * 10_000) / a.gross));
  } else {
    out.is_purchase_for_resale = line.itemKind === "products";
    out.tax_recoverable = true;
  }
  return out;
}

function paymentsAllocations(w: World, table: ArtefactTable, row: Row<ArtefactData>): Rec[] {
  const out: Rec[] = [];
  const payments = w.table<PaymentData>("contact_payments");
  for (const seq of row.d.payments) {
    const p = payments.at(seq);
    const alloc = p.d.allocs.find((a) => a.res === table && a.seq === row.seq);
    if (!alloc || p.deletedAt !== null) continue;
    const ref = w.ref("contact_payments", seq);
    out.push({
      links: w.links("contact_payments", ref.id),
      date: isoDate(p.d.date),
      type: p.d.kind === "CUSTOMER_RECEIPT" ? "Customer Receipt" : "Supplier Payment",
      ...(p.d.reference ? { reference: p.d.reference } : {}),
      amount: money(alloc.cents),
      discount: "0.00",
      contact_payment: ref,
      displayed_as: ref.displayed_as,
    });
  }
  const allocations = w.table<AllocationData>("contact_allocations");
  for (const seq of row.d.allocations) {
    const a = allocations.at(seq);
    const other = a.d.allocs.find((x) => !(x.res === table && x.seq === row.seq));
    const mine = a.d.allocs.find((x) => x.res === table && x.seq === row.seq);
    if (!other || !mine || a.deletedAt !== null) continue;
    const ref = w.ref("contact_allocations", seq);
    out.push({
      links: w.links("contact_allocations", ref.id),
      date: isoDate(a.d.date),
      type: "Allocation",
      amount: money(Math.abs(mine.cents)),
      discount: "0.00",
      contact_allocation: ref,
      artefact: w.ref(other.res, other.seq),
      displayed_as: ref.displayed_as,
    });
  }
  return out;
}

function salesAddress(w: World, seq: number): Rec {
  const a = w.table<AddressData>("addresses").at(seq);
  const id = w.table("addresses").id(a);
  const out: Rec = { id, displayed_as: `${a.d.line1}, ${a.d.city}`, $path: `/addresses/${id}`, address_line_1: a.d.line1 };
  if (a.d.line2) out.address_line_2 = a.d.line2;
  return {
    ...out,
    city: a.d.city,
    postal_code: a.d.postcode,
    country: w.codeRef("countries", w.business.country.toUpperCase()),
    address_type: w.codeRef("address_types", a.d.type),
    country_group: w.codeRef("country_groups", countryGroup(w.business.country)),
  };
}

function renderArtefact(w: World, table: ArtefactTable, row: Row<ArtefactData>, o: RenderOptions): Rec {
  const d = row.d;
  const t = artefactTotals(w, d);
  const sales = SALES_SIDE.has(table);
  const quick = QUICK_ENTRIES.has(table);
  const contact = w.table<ContactData>("contacts").at(d.contact);
  const settled = d.paid + d.allocated;
  const open = t.total - settled;
  const out: Rec = { ...head(w, table, row), ...stamps(row) };
  if (!quick) {
    out.links = w.links(table, out.id as string);
    out.editable = settled === 0;
  }
  if (d.tx >= 0) out.transaction = w.ref("transactions", d.tx);
  out.transaction_type = w.codeRef("transaction_types", TRANSACTION_TYPES[table]);
  if (quick) out.quick_entry_type = w.codeRef("quick_entry_types", "INVOICE");
  else out.is_cis = false;
  out.contact = w.ref("contacts", d.contact);
  if (table === "sales_invoices") {
    out.invoice_number_prefix = "SI-";
    out.invoice_number = out.displayed_as;
  } else if (table === "sales_credit_notes") {
    out.credit_note_number_prefix = "SCN-";
    out.credit_note_number = out.displayed_as;
  }
  out.contact_name = contact.d.name;
  out.contact_reference = contact.d.ref;
  out.date = isoDate(d.date);
  if (!CREDIT_NOTES.has(table)) out.due_date = isoDate(d.due);
  if (!sales && !quick) out.vendor_reference = d.reference.slice(0, 31);
  else if (d.reference) out.reference = d.reference.slice(0, 25);
  if (quick) {
    const line = d.lines[0]!;
    out.ledger_account = w.ref("ledger_accounts", line.ledger);
    out.details = line.description;
    out.tax_rate = w.ref("tax_rates", line.tax);
  }
  if (sales && !quick) out.main_address = salesAddress(w, contact.d.address);
  if (d.notes && !quick) out.notes = d.notes;
  if (sales && !quick) {
    for (const k of [
      "shipping_net_amount",
      "shipping_tax_amount",
      "shipping_total_amount",
      "base_currency_shipping_net_amount",
      "base_currency_shipping_tax_amount",
      "base_currency_shipping_total_amount",
    ])
      out[k] = "0.00";
  }
  out.net_amount = money(t.net);
  out.tax_amount = money(t.tax);
  if (quick) out.tax_breakdown = taxBreakdown(w, d.lines[0]!, t.tax);
  out.total_amount = money(t.total);
  if (!quick) {
    out.payments_allocations_total_amount = money(settled);
    out.payments_allocations_total_discount = "0.00";
    out.total_paid = money(settled);
  }
  out.outstanding_amount = money(open);
  out.currency = w.codeRef("currencies", d.currency || w.currency);
  out.exchange_rate = money(d.rate);
  out.inverse_exchange_rate = money(Math.round(10_000 / d.rate));
  out.base_currency_net_amount = money(t.baseNet);
  out.base_currency_tax_amount = money(t.baseTax);
  if (quick) out.base_currency_tax_breakdown = taxBreakdown(w, d.lines[0]!, t.baseTax);
  out.base_currency_total_amount = money(t.baseTotal);
  out.base_currency_outstanding_amount = money(toBase(open, d.rate));
  if (!quick) out.total_quantity = money(t.qty);
  if (sales && !quick) {
    out.total_discount_amount = money(t.discount);
    out.base_currency_total_discount_amount = money(t.baseDiscount);
  }
  out.status = w.codeRef("artefact_statuses", statusCode(t.total, settled));
  if (sales && !quick) {
    out.sent = d.sent;
    out.sent_by_email = d.sent;
  }
  if (!quick) {
    const lines = d.lines.map((l, i) => renderLine(w, table, row, l, t.lines[i]!, i));
    out[CREDIT_NOTES.has(table) ? "credit_note_lines" : "invoice_lines"] = lines;
    out.tax_analysis = t.byTax.map((g) => ({
      tax_rate: w.ref("tax_rates", g.tax),
      net_amount: money(g.net),
      tax_amount: money(g.taxAmount),
      total_amount: money(g.total),
      goods_amount: money(g.goods),
      service_amount: money(g.services),
    }));
    const goods = t.byTax.reduce((s, g) => s + g.goods, 0);
    const services = t.byTax.reduce((s, g) => s + g.services, 0);
    out.detailed_tax_analysis = {
      total_net: money(t.net),
      total_tax: money(t.tax),
      total: money(t.total),
      total_goods_amount: money(goods),
      total_services_amount: money(services),
      base_currency_total_net: money(t.baseNet),
      base_currency_total_tax: money(t.baseTax),
      base_currency_total: money(t.baseTotal),
      base_currency_total_goods_amount: money(toBase(goods, d.rate)),
      base_currency_total_services_amount: money(toBase(services, d.rate)),
    };
  }
  if (o.showPaymentsAllocations) out.payments_allocations = paymentsAllocations(w, table, row);
  if (d.lastPaid >= 0 && !quick) out.last_paid = isoDate(d.lastPaid);
  if (!quick) out.tax_reconciled = false;
  out.migrated = false;
  if (quick) out.trade_of_asset = false;
  if (!quick) {
    out.withholding_tax_rate = "0.00";
    out.withholding_tax_amount = "0.00";
    out.base_currency_withholding_tax_amount = "0.00";
  }
  return out;
}

function artefactRenderer(table: ArtefactTable): Renderer {
  return renderer<ArtefactData>({
    label: (row) => artefactLabel(table, row.d),
    date: (row, field) => (field === "date" ? row.d.date : CREDIT_NOTES.has(table) ? undefined : row.d.due),
    render: (row, w, o) => renderArtefact(w, table, row, o),
  });
}

export const ARTEFACT_RENDERERS: Readonly<Record<string, Renderer>> = Object.fromEntries(
  (
    [
      "sales_invoices",
      "sales_credit_notes",
      "sales_quick_entries",
      "purchase_invoices",
      "purchase_credit_notes",
      "purchase_quick_entries",
    ] as const
  ).map((t) => [t, artefactRenderer(t)]),
);
