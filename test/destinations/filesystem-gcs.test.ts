import { afterAll, beforeAll } from "vitest";
import { filesystem } from "../../src/destinations/filesystem/index.js";
import { conformanceSuite } from "./conformance.js";
import { type GcsEmulator, emulatorSkipReason, startGcsEmulator } from "./emulators.js";

// The filesystem destination on gs:// (gcp-storage-emulator on 127.0.0.1, from the pinned test
// venv; skipped with the reason where it is missing).
const skip = emulatorSkipReason();
let gcs: GcsEmulator | undefined;
beforeAll(async () => {
  if (!skip) gcs = await startGcsEmulator();
}, 120_000);
afterAll(async () => {
  await gcs?.stop();
});
let n = 0;

conformanceSuite({
  name: "filesystem on GCS (jsonl)",
  skip,
  destination: () =>
    filesystem({
      bucketUrl: `gs://${gcs!.bucket}/run${++n}`,
      credentials: { project_id: "test-project", endpoint_url: gcs!.endpoint },
    }),
  nul: "kept",
});
