import { afterAll } from "vitest";
import { filesystem } from "../../src/destinations/filesystem/index.js";
import { startAzurite } from "./azurite-server.js";
import { conformanceSuite } from "./conformance.js";

// The filesystem destination on Azure Blob Storage (Azurite on 127.0.0.1), both URL forms.
const az = await startAzurite();
afterAll(() => az.stop());
let n = 0;

conformanceSuite({
  name: "filesystem on Azure (az://, Azurite)",
  destination: () => filesystem({ bucketUrl: `az://${az.container}/run${++n}`, credentials: az.credentials }),
  nul: "kept",
});

conformanceSuite({
  name: "filesystem on Azure (abfss://, parquet, Azurite)",
  destination: () =>
    filesystem({
      bucketUrl: `abfss://${az.container}@devstoreaccount1.dfs.core.windows.net/pq${++n}`,
      format: "parquet",
      // The emulator's endpoint stands in for the account's blob host.
      credentials: { ...az.credentials, azure_storage_account_name: undefined },
    }),
  nul: "kept",
  // The Azure bucket code is the same for both formats; parquet itself runs the full suite locally.
  skipCases: Object.fromEntries(
    (
      [
        "type round trip",
        "NUL characters",
        "schema evolution",
        "child tables and links",
        "long identifiers",
        "reserved words and case",
      ] as const
    ).map((c) => [c, "format-independent; covered by the az:// jsonl run and the local parquet run"]),
  ),
});
