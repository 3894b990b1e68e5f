import { getEndpoint } from "../../sage/catalog/index.js";
import { SECONDS_PER_DAY, isoDate, isoTime } from "../format.js";
import { hexId } from "../random.js";
import { ledgerByRole } from "../world/amounts.js";
import { RecordFactory } from "../world/generic-records.js";
import type { Rec, World } from "../world/world.js";

const TAX_SCHEME_COUNTRIES = new Set(["es", "fr", "gb", "ie"]);

/** The settings singletons: one object per business, no envelope. */
export function renderSingleton(w: World, name: string): Rec {
  const created = w.clock.start - 760 * SECONDS_PER_DAY;
  const updated = isoTime(created + 3600);
  const startDay = w.clock.startDay();
  switch (name) {
    case "financial_settings": {
      const out: Rec = {
        $path: "/financial_settings",
        year_end_date: currentYearEnd(startDay, w.business.yearEndMonth),
        accounting_type: "accrual",
        accounts_start_date: isoDate(startDay - 760),
        base_currency: w.codeRef("currencies", w.currency),
        multi_currency_enabled: true,
        use_live_exchange_rates: false,
        tax_return_frequency: w.codeRef("tax_return_frequencies", "QUARTERLY"),
        tax_number: `${w.business.country.toUpperCase()}${String(hexToInt(w.business.id) % 1_000_000_000).padStart(9, "0")}`,
        recoverable_percentage: "100.00",
        updated_at: updated,
        postponed_accounting: false,
        destination_vat: false,
      };
      if (TAX_SCHEME_COUNTRIES.has(w.business.country)) {
        out.tax_scheme = { id: "STANDARD", displayed_as: "Standard", $path: "/tax_schemes/STANDARD" };
      }
      return out;
    }
    case "business_settings":
      return {
        $path: "/business_settings",
        auxiliary_accounts_visible: false,
        default_ledger_accounts: {
          sales_ledger_account: w.ref("ledger_accounts", ledgerByRole(w, "sales_products")),
          purchase_ledger_account: w.ref("ledger_accounts", ledgerByRole(w, "cost_goods")),
          bank_charges_ledger_account: w.ref("ledger_accounts", ledgerByRole(w, "overhead")),
          other_receipt_ledger_account: w.ref("ledger_accounts", ledgerByRole(w, "other_income")),
        },
        ...(w.business.country === "gb"
          ? { country_of_registration: w.codeRef("countries_of_registration", "ENGLAND_WALES") }
          : {}),
        business_created_at: isoTime(created),
        updated_at: updated,
        wizard_complete: true,
      };
    case "invoice_settings":
      return {
        $path: "/invoice_settings",
        next_invoice_number: w.table("sales_invoices").rows.length + 1,
        next_credit_note_number: w.table("sales_credit_notes").rows.length + 1,
        separate_invoice_credit_note_numbering: true,
        sales_invoice_number_prefix: "SI-",
        sales_credit_note_number_prefix: "SCN-",
        invoice_terms_and_conditions: "Payment is due within the agreed credit terms.",
        next_quote_number: 1,
        quote_number_prefix: "SQ-",
        estimate_number_prefix: "SE-",
        quote_default_days_to_expiry: 30,
        estimate_default_days_to_expiry: 30,
        delivery_note_show_signature: true,
        delivery_note_show_picked: false,
        delivery_note_show_notes: true,
        delivery_note_show_contact_details: true,
        quick_entry_prefix: "QE-",
        show_auto_entrepreneur: false,
        show_insurance: false,
        customer_credit_days: 30,
        vendor_credit_days: 30,
        customer_credit_terms: "date_from_invoice",
        vendor_credit_terms: "date_from_payment",
        updated_at: updated,
      };
    case "migrations":
      return {
        id: hexId(w.seed, w.business.index, 0x319),
        $path: "/migrations",
        status: { id: "COMPLETE", displayed_as: "Complete" },
        started_at: isoTime(created + 600),
        completed_at: isoTime(created + 900),
        source_product: "Sage 50 Accounts",
        source_product_version: "29.0",
      };
    default: {
      // email_settings, cis_settings, datev_settings: generic but stable values from the definition.
      const factory = new RecordFactory(w, w.rng(`singleton:${name}`), name);
      const out = factory.object(getEndpoint(name).definition, 1, false);
      if ("$path" in out) out.$path = `/${name}`;
      if ("updated_at" in out) out.updated_at = updated;
      return out;
    }
  }
}

/** The end of the financial year the data clock's start is in: the last day of `month`, on or after it. */
function currentYearEnd(day: number, month: number): string {
  const today = new Date(day * SECONDS_PER_DAY * 1000);
  const lastDay = (year: number) => new Date(Date.UTC(year, month, 0));
  const thisYear = lastDay(today.getUTCFullYear());
  return isoDate(
    Math.floor((thisYear >= today ? thisYear : lastDay(today.getUTCFullYear() + 1)).getTime() / 1000 / SECONDS_PER_DAY),
  );
}

function hexToInt(hex: string): number {
  return parseInt(hex.slice(0, 8), 16);
}
