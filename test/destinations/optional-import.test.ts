import { expect, it } from "vitest";
import { importOptional } from "../../src/destinations/optional-import.js";
import { ConfigError } from "../../src/util/errors.js";

it("names the package to install when an optional driver is missing", async () => {
  const err = (await importOptional("sage-pipeline-no-such-sdk", "destination nowhere").catch((e: unknown) => e)) as ConfigError;
  expect(err).toBeInstanceOf(ConfigError);
  expect(err.message).toBe("destination nowhere needs the package sage-pipeline-no-such-sdk, which is not installed");
  expect(err.hint).toBe("npm install sage-pipeline-no-such-sdk");
});

it("imports an installed one", async () => {
  const mod = await importOptional<typeof import("smol-toml")>("smol-toml", "config");
  expect(typeof mod.parse).toBe("function");
});
