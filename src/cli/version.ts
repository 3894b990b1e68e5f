import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package version, read from package.json next to dist/ (or src/ in tests). */
export function packageVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ["../..", "../../.."]) {
    try {
      const pkg = JSON.parse(readFileSync(join(here, up, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "sage-accounting-pipeline" && pkg.version) return pkg.version;
    } catch {
      // try the next level
    }
  }
  return "0.0.0";
}
