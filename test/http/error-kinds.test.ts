import { createServer } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { exitCodeFor } from "../../src/cli/errors.js";
import { ResourceError, SourceError } from "../../src/extract/index.js";
import { ConnectionError, createHttpError, ResponseFormatError } from "../../src/http/index.js";
import {
  ConfigError,
  InterruptedError,
  kindOf,
  PipelineError,
  PipelineStepFailed,
  TerminalError,
  TransientError,
} from "../../src/util/errors.js";
import { runCli } from "../e2e/cli-helpers.js";

const details = { method: "GET", url: "https://api.example/v3.1/contacts" };
const sysErr = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe("error kinds: by type and driver code, never by message", () => {
  it("classes declare their kind; wrappers take their cause's", () => {
    expect(new ConfigError("x").kind).toBe("terminal");
    expect(new TerminalError("x").kind).toBe("terminal");
    expect(new TransientError("x").kind).toBe("transient");
    expect(new PipelineError("x").kind).toBe("transient");
    expect(new PipelineError("x", { kind: "terminal" }).kind).toBe("terminal");
    // A message that reads like configuration decides nothing.
    expect(new PipelineError("bad configuration: check the credentials").kind).toBe("transient");
    expect(new PipelineStepFailed("p", "load", "1", new ConfigError("x")).kind).toBe("terminal");
    expect(new ResourceError("contacts", createHttpError({ ...details, status: 404 })).kind).toBe("terminal");
    expect(SourceError.from(createHttpError({ ...details, status: 503 })).kind).toBe("transient");
  });

  it("statuses: 408, 429 and 5xx transient, other 4xx terminal", () => {
    for (const s of [408, 429, 500, 502, 503])
      expect(createHttpError({ ...details, status: s }).kind, String(s)).toBe("transient");
    for (const s of [400, 401, 403, 404, 422])
      expect(createHttpError({ ...details, status: s }).kind, String(s)).toBe("terminal");
    expect(new ResponseFormatError({ ...details, status: 200 }, "not JSON").kind).toBe("transient");
  });

  it("driver and system codes, also deep in causes and AggregateErrors", () => {
    expect(kindOf(sysErr("ECONNREFUSED"))).toBe("transient");
    expect(kindOf(sysErr("ENOTFOUND"))).toBe("terminal");
    expect(kindOf(sysErr("EAI_AGAIN"))).toBe("transient");
    expect(kindOf(sysErr("CERT_HAS_EXPIRED"))).toBe("terminal");
    expect(kindOf(sysErr("57P01"))).toBe("transient");
    expect(kindOf(sysErr("08006"))).toBe("transient");
    expect(kindOf(sysErr("28P01"))).toBe("terminal");
    expect(kindOf(new Error("no code"))).toBeUndefined();
    const fetchFailed = new TypeError("fetch failed", { cause: new AggregateError([sysErr("ECONNREFUSED")]) });
    expect(kindOf(fetchFailed)).toBe("transient");
    expect(
      new ConnectionError(details, "failed", { cause: new TypeError("fetch failed", { cause: sysErr("ENOTFOUND") }) }).kind,
    ).toBe("terminal");
    expect(new PipelineError("could not connect to Postgres", { cause: sysErr("ECONNREFUSED") }).kind).toBe("transient");
    expect(new PipelineError("could not connect to Postgres", { cause: sysErr("28P01") }).kind).toBe("terminal");
  });

  it("exit codes: transient 1, terminal 2, interrupted 130/143, unknown 1", () => {
    expect(exitCodeFor(new ConfigError("x"))).toBe(2);
    expect(exitCodeFor(createHttpError({ ...details, status: 401 }))).toBe(2);
    expect(exitCodeFor(createHttpError({ ...details, status: 503 }))).toBe(1);
    expect(exitCodeFor(new PipelineStepFailed("p", "load", undefined, sysErr("ECONNREFUSED")))).toBe(1);
    expect(exitCodeFor(new PipelineStepFailed("p", "load", undefined, sysErr("28P01")))).toBe(2);
    expect(exitCodeFor(new Error("a bug"))).toBe(1);
    expect(exitCodeFor(new InterruptedError("SIGINT"))).toBe(130);
    expect(exitCodeFor(new PipelineStepFailed("p", "extract", undefined, new InterruptedError("SIGTERM")))).toBe(143);
    expect(exitCodeFor(new CommanderError(1, "x", "bad option"))).toBe(2);
  });
});

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) =>
    s.close(() => {
      r();
    }),
  );
  return port;
}

describe("exit codes through the CLI", () => {
  it("Postgres down (ECONNREFUSED) exits 1; a malformed base_url exits 2 naming the key", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "sp-kinds-"));
    const port = await closedPort();
    const down = await runCli(["run", "--no-progress", "--destination", "postgres"], cwd, {
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN: "t0ken-value",
      DESTINATION__POSTGRES__CREDENTIALS: `postgresql://u:pw-canary@127.0.0.1:${port}/db`,
    });
    expect(down.stderr).toMatch(/could not connect to Postgres/);
    expect(down.status, down.stderr).toBe(1);
    expect(down.stderr).not.toContain("pw-canary");

    const badUrl = await runCli(["run", "--no-progress"], cwd, {
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__ACCESS_TOKEN: "t0ken-value",
      SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: "https://[sage.example/v3.1",
    });
    expect(badUrl.status, badUrl.stderr).toBe(2);
    expect(badUrl.stderr).toMatch(/base_url/);
  });
});
