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
    maxTableNesting: field.integer({
      doc: "nesting levels that become child tables; deeper lists and objects are stored as json (a resource's maxTableNesting wins)",
      default: 1000,
      min: 0,
      lookup: "exact",
    }),
  },
});
