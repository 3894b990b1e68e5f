import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  ConfigResolver,
  ConfigValueError,
  EnvProvider,
  Secret,
  TomlProvider,
  configSpec,
  describeOrigin,
  field,
} from "../../src/config/index.js";
import { ConfigError, errorMessage } from "../../src/util/errors.js";
import { addLogSink } from "../../src/util/logger.js";
import { tempDir } from "../helpers/tmp-pipeline.js";

const SPEC = configSpec({
  title: "test source",
  section: ["sources", "test_source"],
  fields: {
    baseUrl: field.string({ doc: "API base", default: "https://api.example.com" }),
    token: field.secret({ doc: "API token" }),
    itemsPerPage: field.integer({ doc: "page size", default: 100, min: 1, max: 200 }),
    rate: field.number({ doc: "requests per second", positive: true }),
    hardDelete: field.boolean({ doc: "delete rows", default: false }),
    resources: field.list({ doc: "what to load", default: ["a", "b"] }),
    ids: field.integers({ doc: "ids", expected: "ids (integers)" }),
    format: field.choice(["jsonl", "parquet"], { doc: "file format", default: "jsonl" }),
    since: field.string({ doc: "start", check: (v) => (Number.isNaN(Date.parse(v)) ? "must be an ISO date-time" : undefined) }),
  },
});

const dir = tempDir();
mkdirSync(join(dir, "project", ".dlt"), { recursive: true });
mkdirSync(join(dir, "global"), { recursive: true });
const write = (rel: string, text: string) => {
  writeFileSync(join(dir, rel), text);
  return join(dir, rel);
};

function resolver(env: Record<string, string>, files: { secrets?: string; config?: string; global?: string } = {}) {
  const n = Math.random().toString(36).slice(2);
  return new ConfigResolver([
    new EnvProvider(env),
    new TomlProvider(".dlt/secrets.toml", write(`project/.dlt/secrets-${n}.toml`, files.secrets ?? "")),
    new TomlProvider(".dlt/config.toml", write(`project/.dlt/config-${n}.toml`, files.config ?? "")),
    new TomlProvider("~/.sage-pipeline/config.toml", write(`global/config-${n}.toml`, files.global ?? "")),
  ]);
}

function warnings(fn: () => void): string[] {
  const out: string[] = [];
  const remove = addLogSink((r) => {
    if (r.level === "warn") out.push(r.message);
  });
  try {
    fn();
  } finally {
    remove();
  }
  return out;
}

describe("ConfigSpec resolution", () => {
  it("is typed by the spec: defaults make a value present, secrets are Secret", () => {
    const { values } = ConfigResolver.empty().resolve(SPEC);
    expectTypeOf(values.itemsPerPage).toEqualTypeOf<number>();
    expectTypeOf(values.rate).toEqualTypeOf<number | undefined>();
    expectTypeOf(values.token).toEqualTypeOf<Secret | undefined>();
    expectTypeOf(values.format).toEqualTypeOf<"jsonl" | "parquet">();
    expectTypeOf(values.resources).toEqualTypeOf<string[]>();
    expectTypeOf(values.ids).toEqualTypeOf<number[] | undefined>();
    expect(values).toEqual({
      baseUrl: "https://api.example.com",
      token: undefined,
      itemsPerPage: 100,
      rate: undefined,
      hardDelete: false,
      resources: ["a", "b"],
      ids: undefined,
      format: "jsonl",
      since: undefined,
    });
  });

  it("coerces env strings and TOML values to the declared types", () => {
    const r = resolver(
      {
        SOURCES__TEST_SOURCE__ITEMS_PER_PAGE: "50",
        SOURCES__TEST_SOURCE__HARD_DELETE: "yes",
        SOURCES__TEST_SOURCE__RESOURCES: "x, y",
        SOURCES__TEST_SOURCE__IDS: "[3, 4, 3]",
        SOURCES__TEST_SOURCE__FORMAT: "Parquet",
      },
      {
        secrets: '[sources.test_source]\ntoken = "t0k"\n',
        config: "[sources.test_source]\nrate = 2.5\nsince = 2024-01-01T00:00:00Z\n",
      },
    );
    const { values } = r.resolve(SPEC);
    expect(values.itemsPerPage).toBe(50);
    expect(values.hardDelete).toBe(true);
    expect(values.resources).toEqual(["x", "y"]);
    expect(values.ids).toEqual([3, 4]);
    expect(values.format).toBe("parquet");
    expect(values.rate).toBe(2.5);
    expect(values.since).toBe("2024-01-01T00:00:00.000Z");
    expect(values.token).toBeInstanceOf(Secret);
    expect(values.token?.reveal()).toBe("t0k");
    expect(JSON.stringify(values)).not.toContain("t0k");
  });

  it("precedence: explicit > env > project secrets > project config > global", () => {
    const files = {
      secrets: "[sources.test_source]\nitems_per_page = 30\n",
      config: "[sources.test_source]\nitems_per_page = 40\nrate = 4\n",
      global: "[sources.test_source]\nitems_per_page = 50\nrate = 5\nhard_delete = true\n",
    };
    const env = { SOURCES__TEST_SOURCE__ITEMS_PER_PAGE: "20" };
    expect(resolver(env, files).resolve(SPEC, { itemsPerPage: 10 }).values.itemsPerPage).toBe(10);
    const fromEnv = resolver(env, files).resolve(SPEC);
    expect([fromEnv.values.itemsPerPage, fromEnv.values.rate, fromEnv.values.hardDelete]).toEqual([20, 4, true]);
    expect(resolver({}, files).resolve(SPEC).values.itemsPerPage).toBe(30);
    expect(resolver({}, { config: files.config, global: files.global }).resolve(SPEC).values.itemsPerPage).toBe(40);
    expect(resolver({}, { global: files.global }).resolve(SPEC).values.itemsPerPage).toBe(50);
  });

  it("records where every value came from: code, env variable, file:line, default", () => {
    const r = resolver(
      { SOURCES__TEST_SOURCE__RATE: "3" },
      { config: "# config\n\n[sources.test_source]\nformat = 'parquet'\n\n[sources]\nhard_delete = true\n" },
    );
    const c = r.resolve(SPEC, { itemsPerPage: 7 });
    expect(c.where("itemsPerPage")).toBe("the option passed in code");
    expect(c.where("rate")).toBe("environment variable SOURCES__TEST_SOURCE__RATE");
    expect(c.where("format")).toBe(".dlt/config.toml:4");
    // dlt's fallback: the key one section up, with the line it is on.
    expect(c.where("hardDelete")).toBe(".dlt/config.toml:7");
    expect(c.where("baseUrl")).toBe("the default");
    expect(c.origin("format")).toMatchObject({ kind: "file", file: ".dlt/config.toml", line: 4 });
  });

  it("a bad value names the key, where it came from and the fix", () => {
    const fromFile = resolver({}, { config: "[sources.test_source]\n\nitems_per_page = 500\n" });
    const err = (() => {
      try {
        fromFile.resolve(SPEC);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigValueError);
    expect(err).toBeInstanceOf(ConfigError);
    const text = errorMessage(err);
    expect(text).toContain(
      "[sources.test_source] items_per_page must be an integer from 1 to 200 (got 500, from .dlt/config.toml:3)",
    );
    expect(text).toContain("hint: change items_per_page to 100 in .dlt/config.toml:3");
    expect((err as ConfigValueError).key).toBe("items_per_page");

    const fromEnv = resolver({ SOURCES__TEST_SOURCE__RATE: "fast" });
    expect(() => fromEnv.resolve(SPEC)).toThrow(
      /rate must be a positive number \(got "fast", from environment variable SOURCES__TEST_SOURCE__RATE\)/,
    );
    expect(() => fromEnv.resolve(SPEC)).toThrow(ConfigError);
    expect(() => ConfigResolver.empty().resolve(SPEC, { format: "csv" as "jsonl" })).toThrow(
      /format must be one of "jsonl", "parquet" \(got "csv", from the option passed in code\)/,
    );
    expect(() => resolver({ SOURCES__TEST_SOURCE__IDS: "acme" }).resolve(SPEC)).toThrow(/ids must be ids \(integers\)/);
    expect(() => resolver({ SOURCES__TEST_SOURCE__SINCE: "yesterday" }).resolve(SPEC)).toThrow(
      /since must be an ISO date-time \(got "yesterday"/,
    );
    const hint = (() => {
      try {
        resolver({ SOURCES__TEST_SOURCE__HARD_DELETE: "maybe" }).resolve(SPEC);
      } catch (e) {
        return errorMessage(e);
      }
    })();
    expect(hint).toContain("hint: set SOURCES__TEST_SOURCE__HARD_DELETE to false");
  });

  it("a secret's value never appears in an error", () => {
    const spec = configSpec({
      title: "x",
      section: ["x"],
      fields: {
        key: field.secret({ doc: "k", check: (s) => (s.reveal().length < 8 ? "must be 8 characters or more" : undefined) }),
      },
    });
    const r = resolver({ X__KEY: "sh0rt" });
    expect(() => r.resolve(spec)).toThrow(/must be 8 characters or more \(got \(a secret value\)/);
    try {
      r.resolve(spec);
    } catch (e) {
      expect(errorMessage(e)).not.toContain("sh0rt");
    }
  });

  it("missing required keys fail together, naming the env variables and the file", () => {
    const spec = configSpec({
      title: "ZA",
      missingTitle: "ZA credentials",
      missingHint: "get them from Sage",
      section: ["sources", "za"],
      fields: {
        apiKey: field.secret({ doc: "key", required: true }),
        username: field.string({ doc: "login", required: true, lookup: "section" }),
      },
    });
    const r = resolver({ USERNAME: "windows-user" });
    let text = "";
    try {
      r.resolve(spec);
    } catch (e) {
      text = errorMessage(e);
    }
    expect(text).toContain("ZA credentials missing: api_key, username");
    expect(text).toContain("put them under [sources.za] in .dlt/secrets.toml");
    expect(text).toContain("SOURCES__ZA__API_KEY, SOURCES__ZA__USERNAME");
    expect(text).toContain("get them from Sage");
    // `section` lookup: one section up is fine, the bare key is not.
    expect(resolver({ SOURCES__USERNAME: "u", SOURCES__ZA__API_KEY: "k" }).resolve(spec).values.username).toBe("u");
  });

  it("looks under the pipeline name first", () => {
    const r = resolver({}, { config: "[sources.test_source]\nrate = 1\n[my_pipeline.sources.test_source]\nrate = 9\n" });
    expect(r.resolve(SPEC).values.rate).toBe(1);
    const p = r.withPipeline("my_pipeline").resolve(SPEC);
    expect(p.values.rate).toBe(9);
    expect(p.where("rate")).toBe(".dlt/config.toml:4");
  });

  it("the error helper names a key for rules across fields", () => {
    const c = resolver({ SOURCES__TEST_SOURCE__RATE: "9" }).resolve(SPEC);
    const e = c.error("rate", "must be below items_per_page");
    expect(e.message).toContain(
      "[sources.test_source] rate must be below items_per_page (got 9, from environment variable SOURCES__TEST_SOURCE__RATE)",
    );
    expect(e.hint).toBe("set SOURCES__TEST_SOURCE__RATE");
  });
});

describe("credentials groups (one string or a table of fields)", () => {
  const DB = configSpec({
    title: "test destination",
    section: ["destination", "testdb"],
    fields: {
      credentials: field.credentials({
        doc: "where to connect",
        fields: {
          host: field.string({ doc: "host", default: "localhost" }),
          port: field.integer({ doc: "port", default: 5432, min: 1, max: 65535 }),
          password: field.secret({ doc: "password" }),
        },
        parse: (dsn) => {
          const u = new URL(dsn);
          return { host: u.hostname, port: u.port, password: decodeURIComponent(u.password) };
        },
      }),
      schemaName: field.string({ doc: "schema", default: "public" }),
    },
  });

  it("takes a DSN, a table, or fields split over providers, typed", () => {
    const dsn = resolver({ DESTINATION__TESTDB__CREDENTIALS: "db://u:pw1@db.example:6000/x" }).resolve(DB).values.credentials;
    expectTypeOf(dsn).toEqualTypeOf<{ host: string; port: number; password: Secret | undefined } | undefined>();
    expect(dsn?.host).toBe("db.example");
    expect(dsn?.port).toBe(6000);
    expect(dsn?.password?.reveal()).toBe("pw1");

    const table = resolver({}, { secrets: '[destination.testdb.credentials]\nhost = "h"\npassword = "pw2"\n' }).resolve(DB);
    expect(table.values.credentials).toMatchObject({ host: "h", port: 5432 });
    expect(table.where("credentials")).toBe(".dlt/secrets.toml:1");

    const split = resolver(
      { DESTINATION__TESTDB__CREDENTIALS__PASSWORD: "pw3" },
      { config: '[destination.testdb.credentials]\nhost = "h3"\nport = 7000\n' },
    ).resolve(DB).values.credentials;
    expect([split?.host, split?.port, split?.password?.reveal()]).toEqual(["h3", 7000, "pw3"]);
    expect(ConfigResolver.empty().resolve(DB).values.credentials).toBeUndefined();
  });

  it("a bad field names the field and its line; a DSN's secrets never print", () => {
    const r = resolver({}, { config: '[destination.testdb.credentials]\nhost = "h"\nport = "lots"\n' });
    expect(() => r.resolve(DB)).toThrow(
      /\[destination\.testdb\] credentials\.port must be an integer from 1 to 65535 \(got "lots", from \.dlt\/config\.toml:3\)/,
    );
    const bad = resolver({ DESTINATION__TESTDB__CREDENTIALS: "not a url with pw-secret" });
    let text = "";
    try {
      bad.resolve(DB);
    } catch (e) {
      text = errorMessage(e);
    }
    expect(text).toContain("credentials could not be read");
    expect(text).toContain("environment variable DESTINATION__TESTDB__CREDENTIALS");
    expect(text).not.toContain("pw-secret");
  });

  it("without parse, one string is refused with the fix", () => {
    const spec = configSpec({
      title: "files",
      section: ["destination", "files"],
      fields: { credentials: field.credentials({ doc: "keys", fields: { keyId: field.string({ doc: "id" }) } }) },
    });
    expect(() => resolver({ DESTINATION__FILES__CREDENTIALS: "abc" }).resolve(spec)).toThrow(
      /credentials must be a table of fields, not one string/,
    );
  });
});

describe("unknown keys", () => {
  it("warns once per unknown key in a known section, with did-you-mean, from files and env", () => {
    const r = resolver(
      { SOURCES__TEST_SOURCE__ITEMS_PER_PAG: "5", SOURCES__TEST_SOURCE__LIMITER__MAX: "1", SOURCES__OTHER__X: "1" },
      {
        config:
          '[sources.test_source]\nresorces = ["a"]\nitems_per_page = 5\n\n[sources.test_source.sub]\nx = 1\n[sources]\nfoo = 1\n',
      },
    );
    const first = warnings(() => r.resolve(SPEC));
    expect(first).toEqual([
      "[sources.test_source] has no key items_per_pag (environment variable SOURCES__TEST_SOURCE__ITEMS_PER_PAG; ignored), did you mean items_per_page?",
      "[sources.test_source] has no key resorces (.dlt/config.toml:2; ignored), did you mean resources?",
    ]);
    expect(warnings(() => r.withPipeline("p").resolve(SPEC))).toEqual([]);
  });

  it("checks the pipeline-prefixed section and credentials groups too", () => {
    const DB = configSpec({
      title: "db",
      section: ["destination", "db"],
      fields: { credentials: field.credentials({ doc: "c", fields: { host: field.string({ doc: "h" }) } }) },
    });
    const r = resolver(
      { DESTINATION__DB__CREDENTIALS__HOTS: "x" },
      { config: "[p.destination.db]\ncredential = 1\n" },
    ).withPipeline("p");
    expect(warnings(() => r.resolve(DB))).toEqual([
      "[destination.db] has no key credential (.dlt/config.toml:2; ignored), did you mean credentials?",
      "[destination.db.credentials] has no key hots (environment variable DESTINATION__DB__CREDENTIALS__HOTS; ignored) (allowed: host)",
    ]);
  });
});

describe("TOML syntax errors", () => {
  it("carry the file, line and column", () => {
    const file = write("bad-syntax.toml", "[sources.x]\nok = 1\nbroken = \n");
    let text = "";
    try {
      new TomlProvider(".dlt/config.toml", file);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      text = errorMessage(e);
    }
    expect(text).toContain(".dlt/config.toml is not valid TOML at line 3, column 10: invalid value");
    expect(text).toContain("fix .dlt/config.toml:3:10");
    expect(text).toContain("3:  broken =");
  });

  it("never show a secret in the excerpt: a secrets file's values and a secret key's value are masked, the caret still points", () => {
    const file = write(
      "bad-secrets.toml",
      '[sources.x]\nclient_id = "id-visible"\nclient_secret = "cnry-secret-1f2e\nother = 1\n',
    );
    let text = "";
    try {
      new TomlProvider(".dlt/secrets.toml", file);
    } catch (e) {
      text = errorMessage(e);
    }
    expect(text).toContain("fix .dlt/secrets.toml:3:");
    expect(text).not.toContain("cnry-secret-1f2e");
    expect(text).not.toContain("id-visible");
    expect(text).toContain(`3:  client_secret = ${"*".repeat('"cnry-secret-1f2e'.length)}`);
    const rows = text.split("\n");
    const caret = rows[rows.findIndex((r) => r.startsWith("3:")) + 1]!;
    expect(caret.indexOf("^")).toBe(rows.find((r) => r.startsWith("3:"))!.length);

    const config = write(
      "bad-config.toml",
      '[destination.postgres.credentials]\nhost = "db.example"\npassword = "cnry-pw-9a8b\n',
    );
    try {
      new TomlProvider(".dlt/config.toml", config);
    } catch (e) {
      text = errorMessage(e);
    }
    expect(text).not.toContain("cnry-pw-9a8b");
    expect(text).toContain('2:  host = "db.example"');
  });
});

describe("describeOrigin", () => {
  it("says file:line, or the key path when the line is unknown", () => {
    expect(describeOrigin({ kind: "file", file: "a.toml", line: undefined, path: ["x", "y"] })).toBe("a.toml (x.y)");
  });
});
