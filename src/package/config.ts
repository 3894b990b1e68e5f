import { configSpec, field } from "../config/index.js";

/** `[load]` (env `LOAD__<KEY>`): what becomes of packages after a load, and of packages that keep failing. */
export const LOAD_SPEC = configSpec({
  title: "load step",
  section: ["load"],
  fields: {
    deleteCompletedJobs: field.boolean({
      doc: "delete loaded packages after a successful load, keeping the newest keep_loaded_packages (dlt keeps them all)",
      default: true,
      lookup: "exact",
    }),
    keepLoadedPackages: field.integer({
      doc: "loaded packages kept for inspection when delete_completed_jobs is on",
      default: 3,
      min: 0,
      lookup: "exact",
    }),
    maxPackageAttempts: field.integer({
      doc: "failed normalize or load attempts after which a package is moved aside to packages/failed/ (its data is read again from the committed state)",
      default: 3,
      positive: true,
      lookup: "exact",
    }),
  },
});
