import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/resolver.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import { sharedPglite } from "../../src/destinations/postgres/pglite-connection.js";
import { resource } from "../../src/extract/resource.js";
import { pipeline } from "../../src/pipeline/pipeline.js";
import { conformanceSuite } from "./conformance.js";

// PGlite (Postgres compiled to WASM, in this process): the Postgres dialect without a server.
// One in-memory database for the whole file (starting one takes seconds); every test uses a
// schema of its own.
conformanceSuite({
  name: "postgres (PGlite)",
  destination: () => postgres({ credentials: "pglite://memory:conformance" }),
  nul: "stripped",
});

const dir = mkdtempSync(join(tmpdir(), "pglite-own-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

it("loads into a PGlite instance the caller owns, and leaves it open", async () => {
  const db = await sharedPglite(undefined, "memory:conformance");
  const p = pipeline({
    pipelineName: "own_pglite",
    destination: postgres({ pglite: db }),
    datasetName: "own_pglite",
    pipelinesDir: dir,
    config: new ConfigResolver([]),
  });
  const info = await p.run(
    resource(
      function* () {
        yield [
          { id: 1, name: "a" },
          { id: 2, name: "b" },
        ];
      },
      { name: "t" },
    ),
  );
  expect(String(info)).toContain("pglite://(instance)");
  expect(await p.dataset().table("t").count()).toBe(2);
  // The instance is still usable by its owner, and holds the data in the dataset's schema.
  const r = await db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM "own_pglite"."t"');
  expect(r.rows[0]!.n).toBe(2);
});
