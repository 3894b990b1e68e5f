import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { EnvProvider } from "../../src/config/providers.js";
import { ConfigResolver } from "../../src/config/resolver.js";
import { postgres } from "../../src/destinations/postgres/index.js";
import { resource } from "../../src/extract/resource.js";
import { NamingConvention } from "../../src/normalize/naming.js";
import { pipeline } from "../../src/pipeline/pipeline.js";
import { Schema, type StoredSchema } from "../../src/schema/schema.js";
import { conformanceSuite } from "./conformance.js";
import { PG_URL, dropSchema, probePostgres, withServer } from "./pg-server.js";

// The real server (127.0.0.1:5432, database `test`, or PG_URL). Without one these tests are
// skipped with the reason, and the PGlite file still runs the same suite on the Postgres dialect.
const unreachable = await probePostgres();

conformanceSuite({
  name: "postgres (server)",
  skip: unreachable,
  destination: () => postgres({ credentials: PG_URL }),
  nul: "stripped",
  dropDataset: (name) => dropSchema(name),
});

describe.skipIf(unreachable !== undefined)(
  `postgres specifics (server)${unreachable ? ` (skipped: ${unreachable})` : ""}`,
  () => {
    const root = mkdtempSync(join(tmpdir(), "pg-specific-"));
    const schemas: string[] = [];
    afterAll(async () => {
      for (const s of schemas) await dropSchema(s);
      rmSync(root, { recursive: true, force: true });
    });
    let n = 0;
    function make(credentials = PG_URL) {
      const datasetName = `pgs${++n}_${Math.random().toString(36).slice(2, 8)}`;
      schemas.push(datasetName);
      return pipeline({
        pipelineName: `pgs${n}`,
        destination: postgres({ credentials }),
        datasetName,
        pipelinesDir: join(root, String(n)),
        config: new ConfigResolver([]),
      });
    }
    const columnsOf = (schema: string, table: string) =>
      withServer(
        async (c) =>
          (
            await c.query(
              "SELECT column_name, data_type, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY column_name",
              [schema, table],
            )
          ).rows as Array<{
            column_name: string;
            data_type: string;
            numeric_precision: number | null;
            numeric_scale: number | null;
          }>,
      );

    it("creates dlt's Postgres types", async () => {
      const p = make();
      await p.run(
        resource(
          function* () {
            yield [
              {
                t: "x",
                b: 1,
                d: 1.5,
                ok: true,
                ts: "2024-01-01T00:00:00Z",
                naive: "2024-01-01T00:00:00",
                day: "2024-01-01",
                dec: "1.5",
                money: "2.5",
                j: { a: 1 },
                bin: new Uint8Array([1]),
              },
            ];
          },
          {
            name: "typed",
            columns: {
              dec: { dataType: "decimal" },
              money: { dataType: "decimal", precision: 12, scale: 2 },
              j: { dataType: "json" },
              naive: { dataType: "timestamp", timezone: false },
            },
          },
        ),
      );
      const cols = Object.fromEntries((await columnsOf(p.datasetName, "typed")).map((c) => [c.column_name, c]));
      expect(Object.fromEntries(Object.entries(cols).map(([k, c]) => [k, c.data_type]))).toMatchObject({
        t: "character varying",
        b: "bigint",
        d: "double precision",
        ok: "boolean",
        ts: "timestamp with time zone",
        naive: "timestamp without time zone",
        day: "date",
        dec: "numeric",
        money: "numeric",
        j: "jsonb",
        bin: "bytea",
      });
      expect([cols.dec!.numeric_precision, cols.dec!.numeric_scale]).toEqual([38, 9]);
      expect([cols.money!.numeric_precision, cols.money!.numeric_scale]).toEqual([12, 2]);
    });

    it("shortens identifiers over 63 bytes itself, so Postgres never truncates one", async () => {
      const p = make();
      const keys = ["k".repeat(80), "٣".repeat(40), `ü_${"long_".repeat(14)}`];
      await p.run(
        resource(
          function* () {
            yield [Object.fromEntries(keys.map((k, i) => [k, i]))];
          },
          { name: "names" },
        ),
      );
      const naming = new NamingConvention(63);
      const stored = (await columnsOf(p.datasetName, "names")).map((c) => c.column_name);
      for (const k of keys) {
        const name = naming.normalizeIdentifier(k);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
        expect(stored).toContain(name);
      }
    });

    it("rolls the whole package back when Postgres rejects a row, naming table, file and line", async () => {
      const p = make();
      await p.run(
        resource(
          function* () {
            yield [{ id: 1 }];
          },
          { name: "good" },
        ),
      );
      const schema = Schema.fromJSON(
        (await p.dataset().table("_dlt_version").rows()).map((r) => JSON.parse(String(r.schema)) as StoredSchema)[0]!,
      );
      const bad = join(root, "bad.jsonl");
      writeFileSync(
        bad,
        '{"id": 2, "_dlt_load_id": "1", "_dlt_id": "a"}\n{"id": "not a number", "_dlt_load_id": "1", "_dlt_id": "b"}\n',
      );
      const client = await (
        await p.destination()
      ).connect({ datasetName: p.datasetName, pipelineName: p.pipelineName, workingDir: root });
      try {
        const err = (await client
          .load({
            loadId: "1.5",
            schema,
            rootTables: [{ table: "good", resource: "good", writeDisposition: "append" }],
            jobs: [{ table: "good", file: "good.x.0.jsonl", rows: 2, bytes: 1, path: bad }],
          })
          .catch((e: unknown) => e)) as Error;
        expect(err.message).toMatch(
          /table good: Postgres rejected load file bad\.jsonl at line 2: invalid input syntax for type bigint/,
        );
        expect(await client.isLoaded("1.5")).toBe(false);
        // A damaged load file (not JSON) aborts the COPY mid-stream; the session stays usable.
        writeFileSync(bad, '{"id": 3, "_dlt_load_id": "1", "_dlt_id": "c"}\n{"id": 4,\n');
        const damaged = (await client
          .load({
            loadId: "1.6",
            schema,
            rootTables: [{ table: "good", resource: "good", writeDisposition: "append" }],
            jobs: [{ table: "good", file: "good.x.0.jsonl", rows: 2, bytes: 1, path: bad }],
          })
          .catch((e: unknown) => e)) as Error;
        expect(damaged.message).toMatch(/table good: load file .*bad\.jsonl line 2 is not valid JSON/);
        expect(await client.isLoaded("1.6")).toBe(false);
        expect(await client.query("SELECT COUNT(*) AS n FROM good")).toEqual([{ n: 1 }]);
      } finally {
        await client.close();
      }
      expect(await p.dataset().table("good").count()).toBe(1);
    });

    it("prints the location redacted in LoadInfo", async () => {
      const url = new URL(PG_URL);
      url.password = "not-the-real-one"; // trust auth accepts any password
      const p = make(url.toString());
      const info = await p.run(
        resource(
          function* () {
            yield [{ id: 1 }];
          },
          { name: "t" },
        ),
      );
      const text = String(info);
      expect(text).toContain(
        `The postgres destination used postgresql://${url.username}:***@${url.host}/${url.pathname.slice(1)} location to store data`,
      );
      expect(text).not.toContain("not-the-real-one");
      expect(JSON.stringify(info.toJSON())).not.toContain("not-the-real-one");
    });

    it("property: random text survives COPY and comes back equal (NUL removed)", async () => {
      const p = make();
      const values = fc.sample(fc.string({ unit: "binary", maxLength: 60 }), 300);
      await p.run(
        resource(
          function* () {
            yield values.map((s, i) => ({ id: i, s }));
          },
          { name: "fuzz" },
        ),
      );
      const back = await p.dataset().table("fuzz").orderBy("id").rows();
      expect(back.map((r) => r.s)).toEqual(values.map((s) => s.replace(/\0/g, "")));
    });

    it('loads through destination: "postgres" with the DSN from the environment', async () => {
      const datasetName = `pgs_env_${Math.random().toString(36).slice(2, 8)}`;
      schemas.push(datasetName);
      const p = pipeline({
        pipelineName: "pgs_env",
        destination: "postgres",
        datasetName,
        pipelinesDir: join(root, "env"),
        config: new ConfigResolver([new EnvProvider({ DESTINATION__POSTGRES__CREDENTIALS: PG_URL })]),
      });
      await p.run(
        resource(
          function* () {
            yield [{ id: 1 }, { id: 2 }];
          },
          { name: "t" },
        ),
      );
      expect(await p.dataset().table("t").count()).toBe(2);
    });
  },
);
