/** Row counts per business at a given scale (scale 1 ≈ 5,000 sales invoices). */
export interface WorldSizes {
  customers: number;
  suppliers: number;
  products: number;
  services: number;
  stockItems: number;
  salesInvoices: number;
  salesCreditNotes: number;
  salesQuickEntries: number;
  purchaseInvoices: number;
  purchaseCreditNotes: number;
  purchaseQuickEntries: number;
  otherPayments: number;
  bankTransfers: number;
  bankDeposits: number;
  journals: number;
  /** Rows of each generic (long-tail) list endpoint. */
  generic: number;
}

const at = (scale: number, base: number, min: number) => Math.max(min, Math.round(base * scale));

export function worldSizes(scale: number): WorldSizes {
  return {
    customers: at(scale, 450, 6),
    suppliers: at(scale, 150, 3),
    products: at(scale, 120, 3),
    services: at(scale, 40, 2),
    stockItems: at(scale, 60, 2),
    salesInvoices: at(scale, 5000, 10),
    salesCreditNotes: at(scale, 250, 2),
    salesQuickEntries: at(scale, 400, 2),
    purchaseInvoices: at(scale, 1500, 5),
    purchaseCreditNotes: at(scale, 80, 1),
    purchaseQuickEntries: at(scale, 300, 2),
    otherPayments: at(scale, 500, 3),
    bankTransfers: at(scale, 100, 2),
    bankDeposits: at(scale, 120, 2),
    journals: at(scale, 200, 2),
    generic: Math.min(40, at(scale, 8, 3)),
  };
}
