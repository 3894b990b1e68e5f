import { afterAll, beforeAll } from "vitest";
import { bigquery } from "../../src/destinations/bigquery/index.js";
import { BigQueryConnection } from "../../src/destinations/bigquery/connection.js";
import { conformanceSuite } from "./conformance.js";
import { type BigQueryEmulator, emulatorSkipReason, startBigQueryEmulator } from "./emulators.js";
import { BIGQUERY_EMULATOR_GAPS } from "./bigquery-gaps.js";

// The BigQuery destination against bqemulator (the REST API the official SDK speaks), started
// from the pinned test venv; skipped with the reason where the venv is missing.
const skip = emulatorSkipReason();
let emu: BigQueryEmulator | undefined;
beforeAll(async () => {
  if (!skip) emu = await startBigQueryEmulator();
}, 120_000);
afterAll(async () => {
  await emu?.stop();
});

conformanceSuite({
  name: "bigquery (bqemulator)",
  skip,
  destination: () => bigquery({ credentials: { project_id: emu!.projectId }, apiEndpoint: emu!.endpoint }),
  nul: "kept",
  skipCases: BIGQUERY_EMULATOR_GAPS,
  async dropDataset(name) {
    if (!emu) return;
    const conn = await BigQueryConnection.open({ projectId: emu.projectId, location: "US", apiEndpoint: emu.endpoint });
    await conn.dropDataset(name);
    await conn.dropDataset(`${name}_staging`);
  },
});
