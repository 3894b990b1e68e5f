import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { ConfigError } from "../../util/errors.js";
import { writeFileAtomic } from "../../util/fs-atomic.js";
import { renderTomlTemplate } from "../../config/templates.js";
import { CONFIG_SPECS } from "../config.js";

/**
 * `sage-pipeline init`: `.dlt/config.toml` and `.dlt/secrets.toml` (0600) templates generated
 * from the config specs, secrets ignored by git.
 */
export function registerInit(program: Command): void {
  program
    .command("init")
    .description("write .dlt/config.toml and .dlt/secrets.toml templates in this folder (secrets git-ignored, mode 0600)")
    .option("--force", "overwrite existing files")
    .action((f: { force?: boolean }) => {
      const dir = join(process.cwd(), ".dlt");
      const files = [
        { path: join(dir, "config.toml"), text: renderTomlTemplate(CONFIG_SPECS, "config"), mode: 0o644 },
        { path: join(dir, "secrets.toml"), text: renderTomlTemplate(CONFIG_SPECS, "secrets"), mode: 0o600 },
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
