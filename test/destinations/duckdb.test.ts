import { join } from "node:path";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { conformanceSuite } from "./conformance.js";

conformanceSuite({
  name: "duckdb",
  destination: ({ dir }) => duckdb({ credentials: join(dir, "data.duckdb") }),
  nul: "kept",
});
