import { describe, expect, it } from "vitest";
import { Secret } from "../../src/config/index.js";
import { DataError } from "../../src/util/errors.js";
import { addLogSink, logger, setLogLevel } from "../../src/util/logger.js";
import { redactHeaders, redactObject, redactUrl, scrub } from "../../src/util/redact.js";

describe("redaction", () => {
  it("masks URL passwords and sensitive query parameters", () => {
    expect(redactUrl("postgresql://loader:pw123@localhost:5432/db")).toBe("postgresql://loader:***@localhost:5432/db");
    expect(redactUrl("https://api.example.com/x?apikey=abc123&page=2&access_token=t0k3n")).toBe(
      "https://api.example.com/x?apikey=***&page=2&access_token=***",
    );
  });

  it("masks auth headers and token bodies", () => {
    expect(redactHeaders({ Authorization: "Bearer abcdef", Accept: "json" })).toEqual({ Authorization: "***", Accept: "json" });
    expect(redactObject({ refresh_token: "r", nested: { client_secret: "c", ok: 1 } })).toEqual({
      refresh_token: "***",
      nested: { client_secret: "***", ok: 1 },
    });
  });

  it("scrubs registered secrets from logs and errors at every level", () => {
    const canary = new Secret("canary-7f3a9c1e");
    const lines: string[] = [];
    const off = addLogSink((r) => lines.push(r.message));
    setLogLevel("debug");
    const log = logger("test");
    log.debug(`sending token ${canary.reveal()} to the API`);
    log.error(`Bearer ${canary.reveal()} rejected`);
    off();
    setLogLevel("warn");
    const err = new DataError(`failed with ${canary.reveal()}`, { hint: `check ${canary.reveal()}` });
    const all = [...lines, err.message, err.hint ?? "", scrub(`raw ${canary.reveal()}`)].join("\n");
    expect(all).not.toContain("canary-7f3a9c1e");
    expect(lines[0]).toBe("sending token *** to the API");
  });
});
