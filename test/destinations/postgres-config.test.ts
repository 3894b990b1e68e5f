import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EnvProvider, TomlProvider } from "../../src/config/providers.js";
import { ConfigResolver } from "../../src/config/resolver.js";
import { resolveDestination } from "../../src/destinations/registry.js";
import { PipelineError } from "../../src/util/errors.js";
import { addLogSink, logger } from "../../src/util/logger.js";

const dir = mkdtempSync(join(tmpdir(), "pg-config-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function toml(name: string, text: string): TomlProvider {
  const f = join(dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(f, text);
  return new TomlProvider(name, f);
}

const connect = { datasetName: "ds", pipelineName: "p", workingDir: dir };

describe("postgres destination config and redaction", () => {
  it("takes a DSN from DESTINATION__POSTGRES__CREDENTIALS and prints it redacted", async () => {
    const env = { DESTINATION__POSTGRES__CREDENTIALS: "postgresql://loader:s3cret-pw%21@127.0.0.1:1/dlt_data?sslmode=disable" };
    const d = await resolveDestination("postgres", new ConfigResolver([new EnvProvider(env)]));
    expect(d.name).toBe("postgres");
    expect(d.capabilities.maxIdentifierLength).toBe(63);
    expect(d.location(connect)).toBe("postgresql://loader:***@127.0.0.1:1/dlt_data");
    // Port 1 on localhost refuses at once: the error names the place, never the password.
    const lines: string[] = [];
    const stop = addLogSink((r) => lines.push(r.message));
    try {
      const err = await d.connect(connect).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PipelineError);
      const text = (err as PipelineError).describe();
      expect(text).toContain("postgresql://loader:***@127.0.0.1:1/dlt_data");
      expect(text).not.toContain("s3cret-pw");
      logger("test").error(`connecting with postgresql://loader:s3cret-pw!@127.0.0.1:1/dlt_data failed`);
      expect(lines.join("\n")).not.toContain("s3cret-pw");
    } finally {
      stop();
    }
  });

  it("takes fields from [destination.postgres.credentials], the password from another provider", async () => {
    const file = toml(
      "secrets.toml",
      `[destination.postgres.credentials]\nhost = "127.0.0.1"\nport = 1\nusername = "loader"\ndatabase = "dlt_data"\n`,
    );
    const env = new EnvProvider({ DESTINATION__POSTGRES__CREDENTIALS__PASSWORD: "another-s3cret" });
    const d = await resolveDestination("postgres", new ConfigResolver([env, file]));
    expect(d.location(connect)).toBe("postgresql://loader:***@127.0.0.1:1/dlt_data");
    const err = (await d.connect(connect).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("127.0.0.1:1");
    expect(err.message).not.toContain("another-s3cret");
  });

  it("accepts pglite:// for Postgres without a server", async () => {
    const d = await resolveDestination(
      "postgres",
      new ConfigResolver([new EnvProvider({ DESTINATION__POSTGRES__CREDENTIALS: "pglite://memory" })]),
    );
    expect(d.location(connect)).toBe("pglite://memory");
    const local = await resolveDestination(
      "postgres",
      new ConfigResolver([new EnvProvider({ DESTINATION__POSTGRES__CREDENTIALS: `pglite://${dir}/db` })]),
    );
    expect(local.location(connect)).toBe(`pglite://${dir}/db`);
  });

  it("says how to configure credentials when there are none", async () => {
    const err = (await resolveDestination("postgres", new ConfigResolver([])).catch((e: unknown) => e)) as PipelineError;
    expect(err.message).toMatch(/no credentials/);
    expect(err.hint).toContain("DESTINATION__POSTGRES__CREDENTIALS");
  });
});

describe("filesystem destination config", () => {
  it("reads bucket_url, format, compression and S3 credentials from [destination.filesystem]", async () => {
    const file = toml(
      "config.toml",
      [
        "[destination.filesystem]",
        'bucket_url = "s3://my-bucket/some/prefix/"',
        'format = "parquet"',
        "[destination.filesystem.credentials]",
        'aws_access_key_id = "AKIATEST"',
        'aws_secret_access_key = "very-secret-key"',
        'endpoint_url = "http://127.0.0.1:1"',
        'region_name = "eu-west-1"',
      ].join("\n"),
    );
    const d = await resolveDestination("filesystem", new ConfigResolver([file]));
    expect(d.name).toBe("filesystem");
    expect(d.location(connect)).toBe("s3://my-bucket/some/prefix");
  });

  it("takes a local bucket_url from the environment", async () => {
    const env = new EnvProvider({
      DESTINATION__FILESYSTEM__BUCKET_URL: join(dir, "data"),
      DESTINATION__FILESYSTEM__COMPRESSION: "gzip",
    });
    const d = await resolveDestination("filesystem", new ConfigResolver([env]));
    expect(d.location(connect)).toBe(`file://${join(dir, "data")}`);
  });

  it("refuses a missing bucket_url and unknown formats with a hint", async () => {
    const missing = (await resolveDestination("filesystem", new ConfigResolver([])).catch((e: unknown) => e)) as PipelineError;
    expect(missing.message).toMatch(/no bucket_url/);
    expect(missing.hint).toContain("[destination.filesystem]");
    const env = new EnvProvider({ DESTINATION__FILESYSTEM__BUCKET_URL: dir, DESTINATION__FILESYSTEM__FORMAT: "csv" });
    const bad = (await resolveDestination("filesystem", new ConfigResolver([env])).catch((e: unknown) => e)) as PipelineError;
    expect(bad.message).toMatch(/format "csv"/);
  });
});
