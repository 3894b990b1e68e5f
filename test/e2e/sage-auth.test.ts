import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { BIN, readDataset, runCli } from "./cli-helpers.js";

describe("Sage OAuth end to end", () => {
  let sb: Sandbox;
  let cwd: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 2, scale: 0.05, seed: 11, accessTokenTtlSeconds: 2, latencyMs: 60 });
    cwd = mkdtempSync(join(tmpdir(), "sp-auth-e2e-"));
    env = {
      SAGE_PIPELINE_DATA_DIR: join(cwd, "data"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL: sb.apiBaseUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__TOKEN_URL: sb.tokenUrl,
      SOURCES__SAGE_ACCOUNTING_SOURCE__AUTHORIZE_URL: `${sb.authorizeUrl}?filter=apiv3.1`,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_ID: sb.options.clientId,
      SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_SECRET: sb.options.clientSecret,
    };
  });
  afterAll(async () => sb.close());

  it("auth login: a browser (played by fetch) approves, the CLI checks state, exchanges the code and stores the tokens", async () => {
    const child = spawn(process.execPath, [BIN, "auth", "login", "--port", "0", "--no-browser", "--timeout", "60"], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
    });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        const m = /https?:\/\/\S+\/oauth2\/auth\/central\S+/.exec(stderr);
        if (m) resolve(m[0]);
      });
      child.on("exit", () => {
        reject(new Error(`login exited early: ${stderr}`));
      });
    });
    const authorize = new URL(url);
    expect(authorize.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(authorize.searchParams.get("scope")).toBe("readonly");
    const callback = new URL(authorize.searchParams.get("redirect_uri")!);
    expect(callback.hostname).toBe("127.0.0.1");

    // A forged callback with a wrong state is refused, and the login keeps waiting.
    const forged = await fetch(`${callback.origin}${callback.pathname}?code=GB%2Fforged&state=wrong`);
    expect(forged.status).toBe(400);

    const approve = await fetch(url, { redirect: "manual" });
    expect(approve.status).toBe(302);
    const back = await fetch(approve.headers.get("location")!);
    expect(back.status).toBe(200);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("Logged in. Tokens stored in");
    const store = join(cwd, "data", "tokens", "sage_accounting.json");
    expect(statSync(store).mode & 0o777).toBe(0o600);
    const tokens = JSON.parse(readFileSync(store, "utf8")) as { accessToken: string; refreshToken: string };
    expect(stdout + stderr).not.toContain(tokens.refreshToken);
    expect(stdout + stderr).not.toContain(tokens.accessToken);

    const status = await runCli(["auth", "status"], cwd, env);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Logged in as .+/);
    for (const b of sb.store.businesses) expect(status.stdout).toContain(b.id);
    const after = JSON.parse(readFileSync(store, "utf8")) as { accessToken: string; refreshToken: string };
    for (const t of [tokens.accessToken, tokens.refreshToken, after.accessToken, after.refreshToken]) {
      expect(status.stdout + status.stderr).not.toContain(t);
    }
  });

  it("a run whose access tokens expire every 2 s refreshes as often as needed, rotating and storing each refresh token", async () => {
    const storePath = join(cwd, "data", "tokens", "sage_accounting.json");
    const before = JSON.parse(readFileSync(storePath, "utf8")) as { refreshToken: string };
    sb.resetStats();
    const started = Date.now();
    // Small pages, two at a time: the run lasts several token lifetimes.
    const slow = {
      ...env,
      SOURCES__SAGE_ACCOUNTING_SOURCE__ITEMS_PER_PAGE: "40",
      SOURCES__SAGE_ACCOUNTING_SOURCE__MAX_CONCURRENCY: "2",
    };
    const r = await runCli(
      ["run", "--no-progress", "--resources", "contacts,sales_invoices,ledger_entries,transactions"],
      cwd,
      slow,
    );
    const seconds = (Date.now() - started) / 1000;
    expect(r.status, r.stderr).toBe(0);
    // A token lives 2 s: a run of more than two lifetimes needed several refreshes, each rotating.
    expect(seconds).toBeGreaterThan(4);
    expect(sb.stats.tokensRefreshed).toBeGreaterThanOrEqual(2);
    const after = JSON.parse(readFileSync(storePath, "utf8")) as { refreshToken: string };
    expect(after.refreshToken).not.toBe(before.refreshToken);
    const ds = readDataset(cwd, "sage_accounting_pipeline.duckdb", "sage_accounting_data");
    for (const name of ["contacts", "sales_invoices", "ledger_entries", "transactions"]) {
      const expected = sb.store.businesses.reduce((a, b) => a + sb.store.count(b.id, name), 0);
      expect(await ds.table(name).count()).toBe(expected);
    }
    // Nothing was rejected for good: the 401s were all answered by a refresh.
    expect(r.stderr).not.toContain("access token was rejected");
  });

  it("a spent refresh token fails with the instruction to log in again", async () => {
    const cwd2 = mkdtempSync(join(tmpdir(), "sp-auth-e2e2-"));
    const tokens = sb.issueTokens("readonly");
    const env2 = {
      ...env,
      SAGE_PIPELINE_DATA_DIR: join(cwd2, "data"),
      SOURCES__SAGE_ACCOUNTING_SOURCE__REFRESH_TOKEN: tokens.refresh_token,
    };
    expect((await runCli(["run", "--no-progress", "--resources", "tax_rates"], cwd2, env2)).status).toBe(0);
    // The token store now holds the rotation; wipe it: the env's refresh token was spent.
    const r = await runCli(["run", "--no-progress", "--resources", "tax_rates"], cwd2, {
      ...env2,
      SOURCES__SAGE_ACCOUNTING_SOURCE__TOKEN_STORE: join(cwd2, "other.json"),
    });
    // Exit 2: running again cannot help, the user must log in (issue 8: credentials are exit 2).
    expect(r.status).toBe(2);
    expect(r.stderr, r.stderr).toContain("invalid_grant");
    expect(r.stderr).toContain("sage-pipeline auth login");
    expect(r.stderr).not.toContain(tokens.refresh_token);
  });
});
