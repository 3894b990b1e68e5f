import { addContact, addItem } from "./build-master.js";
import type { Changes } from "./changes.js";
import { pickRow, type Ops } from "./mutate-accounting.js";
import type {
  AddressData,
  BankAccountData,
  ContactData,
  ItemData,
  ItemKind,
  LedgerAccountData,
  PersonData,
  TaxRateData,
} from "./types.js";
import type { World } from "./world.js";

/** Changes to master data: contacts with their addresses and people, items, accounts, tax rates. */
const contactOps: Ops = {
  update(w, rng, ch, used) {
    const row = pickRow(rng, w.table<ContactData>("contacts").rows, used);
    if (!row) return false;
    if (row.d.kind === "CUSTOMER") row.d.creditLimit += 50_000;
    row.d.notes = `Account reviewed (rev ${w.version}).`;
    ch.touch("contacts", row);
    return true;
  },
  create(w, rng, ch) {
    const seq = addContact(w, rng, rng.chance(0.75) ? "CUSTOMER" : "VENDOR", ch.now);
    const c = w.table<ContactData>("contacts").at(seq);
    ch.created("contacts", c);
    for (const a of w.table<AddressData>("addresses").rows.filter((r) => r.d.contact === seq)) ch.created("addresses", a);
    for (const p of w.table<PersonData>("contact_persons").rows.filter((r) => r.d.contact === seq))
      ch.created("contact_persons", p);
    return true;
  },
  // Only contacts nobody references can go, as in Sage; their addresses and people go with them.
  remove(w, rng, ch, used) {
    const row = pickRow(rng, w.table<ContactData>("contacts").rows, used, (r) => r.d.uses === 0);
    if (!row) return false;
    ch.deleted("contacts", row);
    for (const a of w.table<AddressData>("addresses").rows)
      if (a.d.contact === row.seq && a.deletedAt === null) ch.deleted("addresses", a);
    for (const p of w.table<PersonData>("contact_persons").rows)
      if (p.d.contact === row.seq && p.deletedAt === null) ch.deleted("contact_persons", p);
    return true;
  },
};

/** Addresses and people are embedded in their contact, so changing them changes the contact too. */
function touchOwner(w: World, ch: Changes, contactSeq: number, seq: number, kind: "address" | "person"): void {
  const c = w.table<ContactData>("contacts").at(contactSeq);
  const embedded = kind === "address" ? c.d.address === seq || c.d.delivery === seq : c.d.person === seq;
  if (embedded) ch.touch("contacts", c);
}

const addressOps: Ops = {
  update(w, rng, ch, used) {
    const row = pickRow(rng, w.table<AddressData>("addresses").rows, used);
    if (!row) return false;
    row.d.line2 = `Suite ${rng.int(1, 90)}`;
    ch.touch("addresses", row);
    touchOwner(w, ch, row.d.contact, row.seq, "address");
    return true;
  },
  create(w, rng, ch) {
    const contact = pickRow(rng, w.table<ContactData>("contacts").rows, new Set(), (r) => r.d.delivery < 0);
    if (!contact) return false;
    const main = w.table<AddressData>("addresses").at(contact.d.address).d;
    const row = w
      .table<AddressData>("addresses")
      .add({ ...main, type: "DELIVERY", main: false, name: "Delivery Address", line2: "Goods In" }, ch.now);
    contact.d.delivery = row.seq;
    ch.created("addresses", row);
    ch.touch("contacts", contact);
    return true;
  },
  remove(w, rng, ch, used) {
    const row = pickRow(rng, w.table<AddressData>("addresses").rows, used, (r) => !r.d.main);
    if (!row) return false;
    ch.deleted("addresses", row);
    const c = w.table<ContactData>("contacts").at(row.d.contact);
    if (c.d.delivery === row.seq) {
      c.d.delivery = -1;
      ch.touch("contacts", c);
    }
    return true;
  },
};

const personOps: Ops = {
  update(w, rng, ch, used) {
    const row = pickRow(rng, w.table<PersonData>("contact_persons").rows, used);
    if (!row) return false;
    row.d.mobile = `${w.profile.phonePrefix} ${rng.int(1000, 9999)} ${rng.int(1000, 9999)}`;
    ch.touch("contact_persons", row);
    touchOwner(w, ch, row.d.contact, row.seq, "person");
    return true;
  },
  create(w, rng, ch) {
    const contact = pickRow(rng, w.table<ContactData>("contacts").rows, new Set());
    if (!contact) return false;
    const main = w.table<PersonData>("contact_persons").at(contact.d.person).d;
    const row = w
      .table<PersonData>("contact_persons")
      .add({ ...main, name: `${main.name.split(" ")[0]} Assistant`, main: false, types: ["SALES"] }, ch.now);
    ch.created("contact_persons", row);
    return true;
  },
  remove(w, rng, ch, used) {
    const row = pickRow(rng, w.table<PersonData>("contact_persons").rows, used, (r) => !r.d.main);
    if (!row) return false;
    ch.deleted("contact_persons", row);
    return true;
  },
};

function itemOps(kind: ItemKind): Ops {
  return {
    update(w, rng, ch, used) {
      const row = pickRow(rng, w.table<ItemData>(kind).rows, used);
      if (!row) return false;
      row.d.price = Math.round(row.d.price * 1.05);
      ch.touch(kind, row);
      return true;
    },
    create(w, rng, ch) {
      ch.created(kind, w.table<ItemData>(kind).at(addItem(w, rng, kind, ch.now)));
      return true;
    },
    remove(w, rng, ch, used) {
      const row = pickRow(rng, w.table<ItemData>(kind).rows, used, (r) => r.d.uses === 0);
      if (!row) return false;
      ch.deleted(kind, row);
      return true;
    },
  };
}

const ledgerAccountOps: Ops = {
  update(w, rng, ch, used) {
    const row = pickRow(rng, w.table<LedgerAccountData>("ledger_accounts").rows, used, (r) => r.d.type !== "BANK");
    if (!row) return false;
    row.d.tax = row.d.tax >= 0 ? -1 : 0;
    ch.touch("ledger_accounts", row);
    return true;
  },
  create(w, _rng, ch) {
    const t = w.table<LedgerAccountData>("ledger_accounts");
    const nominal = Math.max(...t.rows.filter((r) => r.d.type === "OVERHEADS").map((r) => r.d.nominal)) + 1;
    ch.created(
      "ledger_accounts",
      t.add({ nominal, name: `Sundry Expenses ${nominal}`, type: "OVERHEADS", role: "", tax: 0, userCreated: true }, ch.now),
    );
    return true;
  },
  // The spec has no deleted_at for ledger accounts: a deleted account simply disappears.
  remove(w, rng, ch, used) {
    const row = pickRow(rng, w.table<LedgerAccountData>("ledger_accounts").rows, used, (r) => r.d.userCreated);
    if (!row) return false;
    ch.deleted("ledger_accounts", row, true);
    return true;
  },
};

const taxRateOps: Ops = {
  update(w, rng, ch, used) {
    const row = pickRow(rng, w.table<TaxRateData>("tax_rates").rows, used);
    if (!row) return false;
    ch.touch("tax_rates", row);
    return true;
  },
  create(w, _rng, ch) {
    const t = w.table<TaxRateData>("tax_rates");
    const code = `${w.business.country.toUpperCase()}_CUSTOM_${t.rows.length + 1}`;
    ch.created("tax_rates", t.add({ code, name: `Custom ${t.rows.length + 1}`, bp: 1000, userCreated: true }, ch.now));
    return true;
  },
  remove(w, rng, ch, used) {
    const row = pickRow(rng, w.table<TaxRateData>("tax_rates").rows, used, (r) => r.d.userCreated);
    if (!row) return false;
    ch.deleted("tax_rates", row, true);
    return true;
  },
};

const bankAccountOps: Ops = {
  update(w, rng, ch, used) {
    const row = pickRow(rng, w.table<BankAccountData>("bank_accounts").rows, used);
    if (!row) return false;
    row.d.balance += rng.int(-50_000, 150_000);
    ch.touch("bank_accounts", row);
    return true;
  },
  create(w, rng, ch) {
    const las = w.table<LedgerAccountData>("ledger_accounts");
    const nominal = Math.max(...las.rows.filter((r) => r.d.type === "BANK").map((r) => r.d.nominal)) + 10;
    const la = las.add({ nominal, name: `Credit Card ${nominal}`, type: "BANK", role: "", tax: -1, userCreated: true }, ch.now);
    ch.created("ledger_accounts", la);
    const row = w.table<BankAccountData>("bank_accounts").add(
      {
        name: `Credit Card ${nominal}`,
        type: "CREDIT_CARD",
        ledger: la.seq,
        number: String(rng.int(10_000_000, 99_999_999)),
        sortCode: "",
        iban: "",
        bic: "",
        balance: 0,
        method: "CREDIT_DEBIT",
        userCreated: true,
      },
      ch.now,
    );
    ch.created("bank_accounts", row);
    return true;
  },
  remove(w, rng, ch, used) {
    const row = pickRow(rng, w.table<BankAccountData>("bank_accounts").rows, used, (r) => r.d.userCreated);
    if (!row) return false;
    ch.deleted("bank_accounts", row);
    return true;
  },
};

export const MASTER_OPS: Readonly<Record<string, Ops>> = {
  contacts: contactOps,
  addresses: addressOps,
  contact_persons: personOps,
  products: itemOps("products"),
  services: itemOps("services"),
  stock_items: itemOps("stock_items"),
  ledger_accounts: ledgerAccountOps,
  tax_rates: taxRateOps,
  bank_accounts: bankAccountOps,
};
