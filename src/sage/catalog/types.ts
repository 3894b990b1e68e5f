/** Shapes of the generated Sage v3.1 endpoint catalog (see scripts/generate-sage-catalog.mjs). */

export type EndpointKind = "list" | "singleton";
export type SubscriptionTier = "start" | "standard" | "plus";
/** The countries Sage v3.1 serves (lowercase, as on the authorize callback). */
export type SageCountry = "ca" | "de" | "es" | "fr" | "gb" | "ie" | "us";

export interface QueryParamSpec {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly enum?: readonly string[];
  readonly default?: string | number | boolean;
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface EndpointFilters {
  readonly updatedOrCreatedSince: boolean;
  readonly deletedSince: boolean;
  readonly fromDate: boolean;
  readonly toDate: boolean;
  /** `/transactions` only: a second window on the modification time. */
  readonly updatedFromDate: boolean;
  readonly updatedToDate: boolean;
  readonly search: boolean;
  /** Attributes accepted by `sort=<attr>[:asc|desc]`, or null when the endpoint has no sort. */
  readonly sort: readonly string[] | null;
  readonly attributes: boolean;
  readonly nestedAttributes: boolean;
  readonly page: boolean;
  readonly itemsPerPage: boolean;
}

export interface RowTraits {
  readonly id: boolean;
  readonly createdAt: boolean;
  readonly updatedAt: boolean;
  readonly deletedAt: boolean;
  /** `transactions` and `ledger_entries` mark deletions with a boolean `deleted` instead. */
  readonly deletedFlag: boolean;
}

/** A field path relative to one item: `contact`, `invoice_lines[*].product`. */
export interface FieldRef {
  readonly path: string;
  readonly definition: string;
}

export interface NestedArraySpec extends FieldRef {
  /** True when the items are link stubs (`{id, displayed_as, $path}`) rather than owned rows. */
  readonly reference: boolean;
}

export interface AccessRule {
  readonly area: string;
  readonly roles: readonly string[];
}

export interface EndpointSpec {
  /** snake_case resource name: the path without its slash (`sales_invoices`). */
  readonly name: string;
  readonly path: string;
  /** The item definition (list) or the object definition (singleton). */
  readonly definition: string;
  readonly kind: EndpointKind;
  readonly tag: string | null;
  readonly summary: string;
  readonly queryParams: readonly QueryParamSpec[];
  readonly filters: EndpointFilters;
  readonly paging: { readonly itemsPerPageDefault: number; readonly itemsPerPageMax: number } | null;
  readonly rows: RowTraits;
  readonly nestedArrays: readonly NestedArraySpec[];
  /** Embedded objects (not link stubs) whose fields are part of the row, e.g. `main_address`. */
  readonly nestedObjects: readonly FieldRef[];
  /** Link stubs `{id, displayed_as, $path}` to other resources. */
  readonly references: readonly FieldRef[];
  /** Arrays of scalars, e.g. `visible_scopes`. */
  readonly scalarArrays: readonly string[];
  /** Every `type: number` property: Sage sends these as decimal strings ("12.50"). */
  readonly moneyFields: readonly string[];
  /** `format: date` properties (`YYYY-MM-DD`). */
  readonly dateFields: readonly string[];
  /** `format: date-time` properties (ISO-8601 UTC). */
  readonly timestampFields: readonly string[];
  /** Countries per subscription tier where the endpoint exists; elsewhere Sage answers 404. */
  readonly availability: Readonly<Record<SubscriptionTier, readonly string[]>>;
  /** The user needs one of these roles in ANY of these areas, else 403. Empty: no restriction. */
  readonly access: readonly AccessRule[];
  readonly areas: readonly string[];
}

export interface SpecInfo {
  readonly title: string;
  readonly version: string;
  readonly basePath: string;
  readonly paths: number;
  readonly definitions: number;
  readonly sha256: string;
}

/** A definition's fields: `[description, definition]` (the definition of an object or list field, to read its own fields in). */
export type FieldDocs = Readonly<Record<string, readonly [string, string?]>>;
