/**
 * "Is this package in the destination?" keys on its load id, but a load id is a timestamp: two
 * workers of one pipeline can draw the same one. So `_dlt_loads` also records the package id
 * (`package_id`), and a row with this load id means "loaded" only when it is this package's.
 */

/** The destination holds load `loadId` for another package: this one must load under a new id. */
export class LoadIdTaken extends Error {
  constructor(
    readonly loadId: string,
    readonly holder: string,
  ) {
    super(`load id ${loadId} is already in the destination for another package (package ${holder})`);
    this.name = "LoadIdTaken";
  }
}

/**
 * Whether the `_dlt_loads` rows of a load id (their `package_id` values; status 0) mean that
 * package `packageId` is loaded. No row: not loaded. A row without a package id was written by an
 * older engine, which could not tell packages apart: loaded, as it would have said. A row of
 * another package: `LoadIdTaken`, never "already loaded", which would lose this package's rows.
 */
export function loadVerdict(loadId: string, packageId: string | undefined, recorded: unknown[]): boolean {
  if (recorded.length === 0) return false;
  if (packageId === undefined) return true;
  if (recorded.some((p) => p === null || p === undefined || p === "" || p === packageId)) return true;
  throw new LoadIdTaken(loadId, String(recorded[0]));
}

/** The `package_id` of a `_dlt_loads` row read with `SELECT *` (absent in datasets of older engines; any case). */
export function recordedPackageId(row: Record<string, unknown>): unknown {
  if ("package_id" in row) return row.package_id;
  const key = Object.keys(row).find((k) => k.toLowerCase() === "package_id");
  return key === undefined ? undefined : row[key];
}
