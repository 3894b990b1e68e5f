import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { ConfigError } from "../../util/errors.js";
import { writeFileAtomic } from "../../util/fs-atomic.js";

const CONFIG = `# sage-pipeline configuration (non-secret). Environment variables override every key:
# [sources.sage_accounting_source] items_per_page -> SOURCES__SAGE_ACCOUNTING_SOURCE__ITEMS_PER_PAGE

[pipeline]
# destination = "duckdb"        # duckdb | postgres | filesystem
# pipeline_name = "sage_accounting_pipeline"
# dataset_name = "sage_accounting_data"

[sources.sage_accounting_source]
# businesses = ["<business id>"]        # default: every business of the login
# resources = ["contacts", "invoices", "payments", "products", "tax_rates"]
# items_per_page = 200
# initial_updated_since = "2024-01-01T00:00:00Z"
# hard_delete = false
# max_concurrency = 10

[runtime]
# request_timeout = 60
# request_max_attempts = 5

[destination.filesystem]
# bucket_url = "./data"             # or file:///..., s3://bucket/prefix
# format = "parquet"                # jsonl | parquet
`;

const SECRETS = `# sage-pipeline secrets. Keep this file out of version control (sage-pipeline init added it to .gitignore).

[sources.sage_accounting_source]
# From your app in the Sage developer portal; then run: sage-pipeline auth login
client_id = ""
client_secret = ""

[sources.sage_one_za_source]
# api_key = ""
# username = ""
# password = ""

[destination.postgres]
# credentials = "postgresql://loader:password@localhost:5432/analytics"
`;

/** `sage-pipeline init`: `.dlt/config.toml` and `.dlt/secrets.toml` (0600) templates, secrets ignored by git. */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description("write .dlt/config.toml and .dlt/secrets.toml templates in this folder (secrets git-ignored, mode 0600)")
    .option("--force", "overwrite existing files")
    .action((f: { force?: boolean }) => {
      const dir = join(process.cwd(), ".dlt");
      const files = [
        { path: join(dir, "config.toml"), text: CONFIG, mode: 0o644 },
        { path: join(dir, "secrets.toml"), text: SECRETS, mode: 0o600 },
      ];
      const existing = files.filter((x) => existsSync(x.path)).map((x) => x.path);
      if (existing.length > 0 && !f.force) {
        throw new ConfigError(`${existing.join(" and ")} already exist`, { hint: "edit them, or pass --force to overwrite" });
      }
      mkdirSync(dir, { recursive: true });
      for (const x of files) writeFileAtomic(x.path, x.text, x.mode);
      const gitignore = join(process.cwd(), ".gitignore");
      const lines = existsSync(gitignore) ? readFileSync(gitignore, "utf8").split("\n") : [];
      if (!lines.includes(".dlt/secrets.toml")) {
        appendFileSync(
          gitignore,
          `${lines.length > 0 && lines[lines.length - 1] !== "" ? "\n" : ""}.dlt/secrets.toml\n*.duckdb\n*.duckdb.wal\n`,
        );
      }
      process.stdout.write(
        [
          "Wrote .dlt/config.toml and .dlt/secrets.toml (git-ignored).",
          "Next: put client_id and client_secret in .dlt/secrets.toml, then run",
          "  sage-pipeline auth login",
          "  sage-pipeline run",
          "",
        ].join("\n"),
      );
    });
}
