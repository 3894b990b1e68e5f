import { afterAll, beforeAll } from "vitest";
import { conformanceSuite } from "./conformance.js";
import { type Fakesnow, fakesnowSkipReason, startFakesnow } from "./fakesnow.js";
import { SNOWFLAKE_FAKESNOW_GAPS } from "./snowflake-gaps.js";

// The Snowflake destination against fakesnow's server (from the pinned .venv-fakesnow/), through
// the official snowflake-sdk; skipped with the reason where the venv is missing.
const skip = fakesnowSkipReason();
let fs: Fakesnow | undefined;
beforeAll(async () => {
  if (!skip) fs = await startFakesnow();
}, 120_000);
afterAll(async () => {
  await fs?.stop();
});

conformanceSuite({
  name: "snowflake (fakesnow)",
  skip,
  destination: () => fs!.destination(),
  nul: "kept",
  skipCases: SNOWFLAKE_FAKESNOW_GAPS,
});
