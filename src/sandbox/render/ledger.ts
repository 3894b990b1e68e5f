import { isoDate, money } from "../format.js";
import { artefactTotals } from "../world/amounts.js";
import { ARTEFACT_TABLES, postingsFor, transactionType } from "../world/ledger.js";
import type { Row } from "../world/table.js";
import type { ArtefactData, LedgerEntryData, Posting, TransactionData } from "../world/types.js";
import type { Rec, World } from "../world/world.js";
import { head, renderer, stamps, type Renderer } from "./renderer.js";

const ARTEFACTS = new Set<string>(ARTEFACT_TABLES);

function source(
  w: World,
  tx: Row<TransactionData>,
): Row<{ date: number; contact?: number; reference?: string; currency?: string }> {
  return w.table<{ date: number }>(tx.d.src).at(tx.d.seq);
}

function contactOf(w: World, tx: Row<TransactionData>): number {
  const c = source(w, tx).d.contact;
  return typeof c === "number" ? c : -1;
}

const transactions = renderer<TransactionData>({
  label: (row, w) => w.label(row.d.src, source(w, row)),
  date: (row, field, w) => (field === "date" ? source(w, row).d.date : undefined),
  render(row, w) {
    const src = source(w, row);
    const postings = postingsFor(w, row.d.src, row.d.seq);
    const total = postings.reduce((s, p) => s + p.debit, 0);
    const out: Rec = { ...head(w, "transactions", row), ...stamps(row, false) };
    out.date = isoDate(src.d.date);
    out.deleted = row.deletedAt !== null;
    out.reference = src.d.reference || out.displayed_as;
    out.total = money(total);
    out.total_in_transaction_currency = ARTEFACTS.has(row.d.src)
      ? money(artefactTotals(w, (src as Row<ArtefactData>).d).total)
      : money(total);
    const contact = contactOf(w, row);
    if (contact >= 0) out.contact = w.ref("contacts", contact);
    out.transaction_type = w.codeRef("transaction_types", transactionType(row.d.src, src.d));
    const origin = w.ref(row.d.src, row.d.seq);
    out.origin = {
      ...origin,
      links: w.links(row.d.src, origin.id),
      ...(ARTEFACTS.has(row.d.src) && !row.d.src.includes("credit")
        ? { due_date: isoDate((src as Row<ArtefactData>).d.due) }
        : {}),
      currency: w.codeRef("currencies", src.d.currency || w.currency),
    };
    out.audit_trail_id = String(row.d.auditId);
    out.number_of_attachments = "0";
    return out;
  },
});

function posting(w: World, row: Row<LedgerEntryData>): { tx: Row<TransactionData>; p: Posting } {
  const tx = w.table<TransactionData>("transactions").at(row.d.tx);
  const p = postingsFor(w, tx.d.src, tx.d.seq)[row.d.k];
  if (!p) throw new Error(`ledger entry ${row.seq} has no posting ${row.d.k}`);
  return { tx, p };
}

const ledgerEntries = renderer<LedgerEntryData>({
  label: (row, w) => posting(w, row).p.details,
  date: (row, field, w) => (field === "date" ? source(w, posting(w, row).tx).d.date : undefined),
  render(row, w) {
    const { tx, p } = posting(w, row);
    const out: Rec = { ...head(w, "ledger_entries", row), ...stamps(row, false) };
    out.date = isoDate(source(w, tx).d.date);
    out.credit = money(p.credit);
    out.debit = money(p.debit);
    out.ledger_account = w.ref("ledger_accounts", p.ledger);
    out.transaction = w.ref("transactions", tx.seq);
    if (p.contact >= 0) out.contact = w.ref("contacts", p.contact);
    out.deleted = row.deletedAt !== null;
    if (p.tax >= 0) out.tax_rate = w.ref("tax_rates", p.tax);
    out.description = p.details;
    return out;
  },
});

export const LEDGER_RENDERERS: Readonly<Record<string, Renderer>> = {
  transactions,
  ledger_entries: ledgerEntries,
};
