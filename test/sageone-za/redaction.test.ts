import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onRequestEvent } from "../../src/http/index.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { resolveSageOneZaSettings, sageOneZaSource } from "../../src/sageone-za/index.js";
import { addLogSink, getLogLevel, setLogLevel, setStderrLogging } from "../../src/util/logger.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

/** Never to be seen in any output: the API key travels in the query string, the password in Basic auth. */
const CANARY = {
  apiKey: "{C4NARY00-5A1E-4D2B-9F00-APIKEY7F3A9C}",
  password: "canary-sa-password-0b6f44",
  wrongPassword: "canary-wrong-password-93ce1",
};
const USER = "owner@example.com";
const needles = [
  CANARY.apiKey,
  CANARY.apiKey.slice(1, -1),
  encodeURIComponent(CANARY.apiKey),
  CANARY.password,
  CANARY.wrongPassword,
  Buffer.from(`${USER}:${CANARY.password}`).toString("base64"),
  Buffer.from(`${USER}:${CANARY.wrongPassword}`).toString("base64"),
];

const dir = tempDir("sp-sa-canary-");
let sb: Sandbox;
const captured: string[] = [];
const keep = (x: unknown) => captured.push(typeof x === "string" ? x : `${JSON.stringify(x)}\n${inspect(x, { depth: 8 })}`);
const keepError = (e: unknown) => {
  const err = e as Error & { hint?: string; cause?: unknown };
  captured.push(String(err), err.message, err.stack ?? "", err.hint ?? "", JSON.stringify(err), inspect(err, { depth: 8 }));
  if (err.cause) keepError(err.cause);
};
let offSink: () => void;
let offEvents: () => void;
let level: ReturnType<typeof getLogLevel>;

beforeAll(async () => {
  level = getLogLevel();
  setLogLevel("debug");
  setStderrLogging(false);
  offSink = addLogSink((r) => keep(r.message));
  offEvents = onRequestEvent((e) => keep(e));
  sb = await startSandbox({
    port: 0,
    scale: 0.05,
    saApiKey: CANARY.apiKey,
    saUsername: USER,
    saPassword: CANARY.password,
    saRequestsPerMinute: 4,
  });
});
afterAll(async () => {
  offSink();
  offEvents();
  setLogLevel(level);
  setStderrLogging(true);
  await sb.close();
});

const env = (password: string) =>
  emptyConfig({
    SOURCES__SAGE_ONE_ZA_SOURCE__BASE_URL: sb.saBaseUrl,
    SOURCES__SAGE_ONE_ZA_SOURCE__API_KEY: CANARY.apiKey,
    SOURCES__SAGE_ONE_ZA_SOURCE__USERNAME: USER,
    SOURCES__SAGE_ONE_ZA_SOURCE__PASSWORD: password,
    SOURCES__SAGE_ONE_ZA_SOURCE__REQUESTS_PER_SECOND: "1000",
  });

describe("Sage One SA secrets never leak", () => {
  it("api key and password stay out of debug logs, request events, errors, settings and the pipeline's files", async () => {
    // A good run, a run with a wrong password (401), and a run that trips the per-minute block (429).
    const p = duckPipeline(dir);
    await p.run(sageOneZaSource({ resources: ["tax_types"] }, env(CANARY.password)));
    keepError(
      await duckPipeline(dir)
        .run(sageOneZaSource({ resources: ["tax_types"] }, env(CANARY.wrongPassword)))
        .catch((e: unknown) => e),
    );
    keepError(
      await duckPipeline(dir)
        .run(sageOneZaSource({ maxConcurrency: 1 }, env(CANARY.password)))
        .catch((e: unknown) => e),
    );
    const settings = resolveSageOneZaSettings({}, env(CANARY.password));
    keep(settings);
    keep(String(settings.apiKey));
    keep(JSON.stringify(p.state));

    expect(captured.some((c) => c.includes("apikey=***"))).toBe(true);
    expect(captured.some((c) => c.includes("Sage One refused the credentials"))).toBe(true);
    expect(captured.some((c) => c.includes("Sage One blocked this IP address"))).toBe(true);
    expect(captured.some((c) => c.includes("debug") || c.includes("headers"))).toBe(true);
    const all = captured.join("\n");
    for (const needle of needles) expect(all.includes(needle), needle).toBe(false);

    // Working dirs, traces, load packages, state and the DuckDB files.
    const files: string[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const path = join(d, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(dir);
    expect(files.some((f) => f.endsWith(".duckdb"))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const needle of needles) expect(bytes.includes(Buffer.from(needle)), `${needle} in ${f}`).toBe(false);
    }
  });
});
