/**
 * Sage's enumeration endpoints use upper-case codes as ids (`GBP`, `CUSTOMER`, `SALES_INVOICE`).
 * The sandbox serves these lists as they are, and records reference them by code.
 */
export type CodeList = ReadonlyArray<readonly [code: string, label: string]>;

export const CODE_LISTS: Readonly<Record<string, CodeList>> = {
  countries: [
    ["GB", "United Kingdom (GB)"],
    ["IE", "Ireland (IE)"],
    ["US", "United States (US)"],
    ["CA", "Canada (CA)"],
    ["FR", "France (FR)"],
    ["ES", "Spain (ES)"],
    ["DE", "Germany (DE)"],
    ["NL", "Netherlands (NL)"],
    ["BE", "Belgium (BE)"],
    ["IT", "Italy (IT)"],
    ["ZA", "South Africa (ZA)"],
    ["AU", "Australia (AU)"],
  ],
  currencies: [
    ["GBP", "Pound Sterling (GBP)"],
    ["EUR", "Euro (EUR)"],
    ["USD", "US Dollar (USD)"],
    ["CAD", "Canadian Dollar (CAD)"],
    ["ZAR", "South African Rand (ZAR)"],
    ["AUD", "Australian Dollar (AUD)"],
  ],
  country_groups: [
    ["EU", "European Union"],
    ["NON_EU", "Rest of the World"],
    ["GB", "United Kingdom"],
  ],
  contact_types: [
    ["CUSTOMER", "Customer"],
    ["VENDOR", "Supplier"],
  ],
  contact_person_types: [
    ["ACCOUNTS", "Accounts"],
    ["SALES", "Sales"],
    ["PURCHASING", "Purchasing"],
    ["CONTRACTOR", "Contractor"],
  ],
  address_types: [
    ["ACCOUNTS", "Accounts"],
    ["DELIVERY", "Delivery"],
    ["SALES", "Sales"],
    ["PURCHASING", "Purchasing"],
  ],
  artefact_statuses: [
    ["DRAFT", "Draft"],
    ["UNPAID", "Unpaid"],
    ["PART_PAID", "Part Paid"],
    ["PAID", "Paid"],
    ["VOID", "Void"],
    ["DISPUTED", "Disputed"],
  ],
  transaction_types: [
    ["SALES_INVOICE", "Sales Invoice"],
    ["SALES_CREDIT_NOTE", "Sales Credit Note"],
    ["SALES_QUICK_ENTRY_INVOICE", "Sales QE Invoice"],
    ["PURCHASE_INVOICE", "Purchase Invoice"],
    ["PURCHASE_CREDIT_NOTE", "Purchase Credit Note"],
    ["PURCHASE_QUICK_ENTRY_INVOICE", "Purchase QE Invoice"],
    ["CUSTOMER_RECEIPT", "Customer Receipt"],
    ["VENDOR_PAYMENT", "Supplier Payment"],
    ["CUSTOMER_ALLOCATION", "Customer Allocation"],
    ["VENDOR_ALLOCATION", "Supplier Allocation"],
    ["OTHER_PAYMENT", "Other Payment"],
    ["OTHER_RECEIPT", "Other Receipt"],
    ["BANK_TRANSFER", "Bank Transfer"],
    ["BANK_DEPOSIT", "Bank Deposit"],
    ["JOURNAL", "Journal"],
  ],
  payment_methods: [
    ["BANK_TRANSFER", "Bank Transfer"],
    ["CASH", "Cash"],
    ["CHEQUE", "Cheque"],
    ["CREDIT_DEBIT", "Credit/Debit Card"],
    ["ALTERNATIVE_PAYMENT", "Alternative Payment"],
  ],
  bank_account_types: [
    ["CHECKING", "Current"],
    ["SAVINGS", "Savings"],
    ["CASH_IN_HAND", "Cash in Hand"],
    ["CREDIT_CARD", "Credit Card"],
    ["LOAN", "Loan"],
    ["OTHER", "Other"],
  ],
  ledger_account_types: [
    ["SALES", "Sales"],
    ["OTHER_INCOME", "Other Income"],
    ["DIRECT_EXPENSES", "Direct Expenses"],
    ["OVERHEADS", "Overheads"],
    ["DEPRECIATION", "Depreciation"],
    ["CURRENT_ASSETS", "Current Assets"],
    ["FIXED_ASSETS", "Fixed Assets"],
    ["BANK", "Bank"],
    ["CURRENT_LIABILITY", "Current Liabilities"],
    ["FUTURE_LIABILITY", "Future Liabilities"],
    ["EQUITY", "Equity"],
    ["LT_LIABILITY", "Long Term Liabilities"],
  ],
  ledger_account_classifications: [
    ["TRADE_DEBTORS", "Trade Debtors"],
    ["TRADE_CREDITORS", "Trade Creditors"],
    ["TAX", "Tax"],
    ["CASH", "Cash and Bank"],
    ["REVENUE", "Revenue"],
    ["COST_OF_SALES", "Cost of Sales"],
    ["EXPENSES", "Expenses"],
  ],
  catalog_item_types: [
    ["STOCK_ITEM", "Stock"],
    ["NON_STOCK_ITEM", "Non-Stock"],
    ["SERVICE", "Service"],
  ],
  quick_entry_types: [
    ["INVOICE", "Invoice"],
    ["CREDIT_NOTE", "Credit Note"],
  ],
  eu_goods_services_types: [
    ["GOODS", "Goods"],
    ["SERVICES", "Services"],
  ],
  contact_opening_balance_types: [
    ["INVOICE", "Invoice"],
    ["CREDIT_NOTE", "Credit Note"],
  ],
  attachment_context_types: [
    ["SALES_INVOICE", "Sales Invoice"],
    ["PURCHASE_INVOICE", "Purchase Invoice"],
    ["CONTACT", "Contact"],
    ["BANK_TRANSFER", "Bank Transfer"],
    ["JOURNAL", "Journal"],
  ],
  tax_return_frequencies: [
    ["MONTHLY", "Monthly"],
    ["QUARTERLY", "Quarterly"],
    ["ANNUALLY", "Annually"],
  ],
  countries_of_registration: [
    ["ENGLAND_WALES", "England & Wales"],
    ["SCOTLAND", "Scotland"],
    ["NORTHERN_IRELAND", "Northern Ireland"],
  ],
  corrective_reason_codes: [
    ["R1", "R1 - Error fundado en derecho"],
    ["R4", "R4 - Resto de causas"],
  ],
  coa_group_types: [
    ["SALES", "Sales"],
    ["EXPENSES", "Expenses"],
    ["ASSETS", "Assets"],
    ["LIABILITIES", "Liabilities"],
  ],
};

export function codeLabel(list: string, code: string): string {
  const hit = CODE_LISTS[list]?.find(([c]) => c === code);
  return hit ? hit[1] : code;
}

export interface CountryProfile {
  readonly currency: string;
  readonly taxLabel: string;
  /** [code suffix, name, basis points] — ids become `${COUNTRY}_${suffix}` as in Sage. */
  readonly taxRates: ReadonlyArray<readonly [string, string, number]>;
  readonly cities: readonly string[];
  readonly phonePrefix: string;
  readonly foreignCurrency: string;
  /** Foreign currency units per base unit, in hundredths. */
  readonly foreignRate: number;
}

export const COUNTRY_PROFILES: Readonly<Record<string, CountryProfile>> = {
  gb: {
    currency: "GBP",
    taxLabel: "VAT",
    phonePrefix: "+44 20",
    foreignCurrency: "EUR",
    foreignRate: 116,
    taxRates: [
      ["STANDARD", "Standard", 2000],
      ["LOWER", "Lower", 500],
      ["ZERO", "Zero", 0],
      ["EXEMPT", "Exempt", 0],
    ],
    cities: ["London", "Manchester", "Leeds", "Bristol", "Glasgow", "Birmingham", "Cardiff", "Norwich"],
  },
  ie: {
    currency: "EUR",
    taxLabel: "VAT",
    phonePrefix: "+353 1",
    foreignCurrency: "GBP",
    foreignRate: 86,
    taxRates: [
      ["STANDARD", "Standard", 2300],
      ["REDUCED", "Reduced", 1350],
      ["SECOND_REDUCED", "Second Reduced", 900],
      ["ZERO", "Zero", 0],
      ["EXEMPT", "Exempt", 0],
    ],
    cities: ["Dublin", "Cork", "Galway", "Limerick", "Waterford", "Kilkenny"],
  },
  us: {
    currency: "USD",
    taxLabel: "Sales Tax",
    phonePrefix: "+1 415",
    foreignCurrency: "CAD",
    foreignRate: 137,
    taxRates: [
      ["STATE", "State Sales Tax", 725],
      ["COMBINED", "Combined Sales Tax", 863],
      ["NO_TAX", "No Tax", 0],
    ],
    cities: ["San Francisco", "Oakland", "Austin", "Denver", "Portland", "Chicago"],
  },
  ca: {
    currency: "CAD",
    taxLabel: "GST/HST",
    phonePrefix: "+1 416",
    foreignCurrency: "USD",
    foreignRate: 73,
    taxRates: [
      ["GST", "GST", 500],
      ["HST_ON", "HST Ontario", 1300],
      ["ZERO", "Zero Rated", 0],
      ["EXEMPT", "Exempt", 0],
    ],
    cities: ["Toronto", "Ottawa", "Vancouver", "Calgary", "Montreal", "Halifax"],
  },
  fr: {
    currency: "EUR",
    taxLabel: "TVA",
    phonePrefix: "+33 1",
    foreignCurrency: "GBP",
    foreignRate: 86,
    taxRates: [
      ["STANDARD", "Taux normal", 2000],
      ["INTERMEDIATE", "Taux intermédiaire", 1000],
      ["REDUCED", "Taux réduit", 550],
      ["ZERO", "Exonéré", 0],
    ],
    cities: ["Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille"],
  },
  es: {
    currency: "EUR",
    taxLabel: "IVA",
    phonePrefix: "+34 91",
    foreignCurrency: "GBP",
    foreignRate: 86,
    taxRates: [
      ["GENERAL", "General", 2100],
      ["REDUCED", "Reducido", 1000],
      ["SUPER_REDUCED", "Superreducido", 400],
      ["EXEMPT", "Exento", 0],
    ],
    cities: ["Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Málaga"],
  },
  de: {
    currency: "EUR",
    taxLabel: "USt",
    phonePrefix: "+49 30",
    foreignCurrency: "GBP",
    foreignRate: 86,
    taxRates: [
      ["STANDARD", "Regelsatz", 1900],
      ["REDUCED", "Ermäßigt", 700],
      ["ZERO", "Steuerfrei", 0],
    ],
    cities: ["Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Leipzig"],
  },
};

export function countryProfile(country: string): CountryProfile {
  const p = COUNTRY_PROFILES[country];
  if (!p) throw new Error(`no country profile for ${country}`);
  return p;
}

/** The chart of accounts every simulated business starts with: [nominal code, name, type, role]. */
export const CHART_OF_ACCOUNTS: ReadonlyArray<readonly [number, string, string, string]> = [
  [10, "Freehold Property", "FIXED_ASSETS", ""],
  [30, "Office Equipment and IT", "FIXED_ASSETS", "equipment"],
  [31, "Office Equipment Depreciation", "FIXED_ASSETS", "equipment_depreciation"],
  [1001, "Stock", "CURRENT_ASSETS", ""],
  [1100, "Trade Debtors", "CURRENT_ASSETS", "debtors"],
  [1200, "Current Account", "BANK", "bank_current"],
  [1210, "Savings Account", "BANK", "bank_savings"],
  [1230, "Cash in Hand", "BANK", "bank_cash"],
  [2100, "Trade Creditors", "CURRENT_LIABILITY", "creditors"],
  [2200, "Sales Tax Control", "CURRENT_LIABILITY", "sales_tax"],
  [2201, "Purchase Tax Control", "CURRENT_LIABILITY", "purchase_tax"],
  [2210, "PAYE and NI", "CURRENT_LIABILITY", "payroll_liability"],
  [2220, "Net Wages", "CURRENT_LIABILITY", "net_wages"],
  [3000, "Capital Introduced", "EQUITY", ""],
  [3260, "Drawings", "EQUITY", ""],
  [4000, "Sales - Products", "SALES", "sales_products"],
  [4010, "Sales - Services", "SALES", "sales_services"],
  [4020, "Sales - Consulting", "SALES", "sales_consulting"],
  [4900, "Other Income", "OTHER_INCOME", "other_income"],
  [5000, "Cost of Sales - Goods", "DIRECT_EXPENSES", "cost_goods"],
  [5010, "Cost of Sales - Subcontractors", "DIRECT_EXPENSES", "cost_services"],
  [6201, "Advertising and Marketing", "OVERHEADS", "overhead"],
  [7000, "Gross Wages", "OVERHEADS", "wages"],
  [7100, "Rent", "OVERHEADS", "overhead"],
  [7200, "Electricity and Gas", "OVERHEADS", "overhead"],
  [7400, "Travel and Subsistence", "OVERHEADS", "overhead"],
  [7500, "Office Stationery", "OVERHEADS", "overhead"],
  [7502, "Telephone and Internet", "OVERHEADS", "overhead"],
  [7600, "Legal and Professional Fees", "OVERHEADS", "overhead"],
  [7900, "Bank Charges", "OVERHEADS", "overhead"],
  [8000, "Depreciation", "DEPRECIATION", "depreciation"],
  [9998, "Suspense Account", "CURRENT_LIABILITY", ""],
];
