import { configSpec, field } from "../config/index.js";

/** `[normalize]` (env `NORMALIZE__<KEY>`). */
export const NORMALIZE_SPEC = configSpec({
  title: "normalize step",
  section: ["normalize"],
  fields: {
    workers: field.integer({
      doc: "worker threads for big packages (packages under 8 MB stay in one thread)",
      defaultDoc: "the cores, up to 4",
      example: 2,
      positive: true,
      lookup: "exact",
    }),
    partMb: field.integer({
      doc: "raw MB per worker run: a package bigger than `workers` parts of this size is normalized in contiguous parts of about this size, each in a fresh worker thread, `workers` at a time, so a worker's memory is that of one part, not of the package (32 held a 1M-row package's peak ~20–40 MiB lower, normalize ~20% slower)",
      defaultDoc: "one part per worker",
      example: 32,
      positive: true,
      lookup: "exact",
    }),
    maxTableNesting: field.integer({
      doc: "nesting levels that become child tables; deeper lists and objects are stored as json (a resource's maxTableNesting wins)",
      default: 1000,
      min: 0,
      lookup: "exact",
    }),
  },
});
