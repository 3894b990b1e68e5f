import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/resolver.js";
import { BigQueryConnection, BigQueryDestination } from "../../src/destinations/bigquery/index.js";
import { resource } from "../../src/extract/resource.js";
import { RejectedItemsError } from "../../src/pipeline/incomplete.js";
import type { LoadInfo } from "../../src/pipeline/load-info.js";
import { type Pipeline, pipeline } from "../../src/pipeline/pipeline.js";
import { type Generation, type WriteCase, WRITE_CASES, datasetSnapshot } from "./bigquery-crash-data.js";
import { type BigQueryEmulator, emulatorSkipReason, startBigQueryEmulator } from "./emulators.js";

/** The BigQuery destination's own cases beyond the conformance suite, against bqemulator. */
const skip = emulatorSkipReason();
let emu: BigQueryEmulator | undefined;
const root = mkdtempSync(join(tmpdir(), "bq-commit-"));
beforeAll(async () => {
  if (!skip) emu = await startBigQueryEmulator();
}, 120_000);
afterAll(async () => {
  await emu?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(skip !== undefined)(`bigquery commit protocol (bqemulator)${skip ? ` (skipped: ${skip})` : ""}`, () => {
  it("the query session runs only what BigQuery classifies as SELECT", async () => {
    const destination = new BigQueryDestination({ credentials: { project_id: emu!.projectId }, apiEndpoint: emu!.endpoint });
    const datasetName = `ro_${Math.random().toString(36).slice(2, 8)}`;
    const p = pipeline({
      pipelineName: "bq_ro",
      destination,
      datasetName,
      pipelinesDir: join(root, "ro"),
      config: new ConfigResolver([]),
    });
    try {
      await p.run(resource(() => [[{ id: 1 }, { id: 2 }, { id: 3 }]], { name: "t", primaryKey: "id" }));
      const session = await destination.openQuerySession({
        datasetName,
        pipelineName: p.pipelineName,
        workingDir: p.workingDir.path,
        maxRows: 2,
        timeoutMs: 60_000,
      });
      try {
        expect(await session.query("select id from t order by id")).toEqual({
          columns: ["id"],
          rows: [{ id: 1 }, { id: 2 }],
          truncated: true,
        });
        expect(await session.tableNames()).toContain("t");
        for (const sql of [
          "drop table t",
          "delete from t where true",
          "insert into t (id) values (4)",
          "create table x (a int64)",
          // Not "select 1; drop table t": bqemulator executes a script it was asked to dry-run
          // (BigQuery never does), so here the script would drop the table (DEVELOPERS.md, gaps).
          "truncate table t",
          "merge t using (select 9 as id) s on false when not matched then insert (id) values (s.id)",
        ]) {
          const err = await session.query(sql).then(
            () => undefined,
            (e: unknown) => e as Error,
          );
          expect(err, sql).toBeInstanceOf(Error);
          expect(err!.name, sql).toBe("QueryError");
        }
        expect((await session.query('select count(*) as n from "t"')).rows).toEqual([{ n: 3 }]);
      } finally {
        await session.close();
      }
      expect(await p.dataset().table("t").count()).toBe(3);
    } finally {
      const conn = await BigQueryConnection.open({ projectId: emu!.projectId, location: "US", apiEndpoint: emu!.endpoint });
      await conn.dropDataset(datasetName);
      await conn.dropDataset(`${datasetName}_staging`);
    }
  }, 300_000);

  for (const c of WRITE_CASES) {
    it(`${c.name}: a failure at each write of the commit in turn, then a rerun, ends as the uninterrupted load`, async () => {
      await crashEachStep(c);
    }, 1_800_000);
  }
});

/**
 * The SDK connection with a fault switch: every write (DDL, DML, load job) is counted, and the
 * one numbered `failAt` throws before it reaches the emulator, as a process killed between two
 * statements leaves it. Reads pass: failing one is the same as failing the write after it.
 */
class FaultyBigQuery extends BigQueryDestination {
  writes = 0;
  failAt: number | undefined;
  /** The number of the write that inserted the `_dlt_loads` row (the commit point). */
  commitAt = 0;

  protected override async openConnection(): Promise<BigQueryConnection> {
    const conn = await super.openConnection();
    const writes = new Set(["execute", "loadFile", "loadUris", "loadRows"]);
    return new Proxy(conn, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        const fn = value as (...args: unknown[]) => unknown;
        if (typeof prop !== "string" || !writes.has(prop)) return fn.bind(target);
        return (...args: unknown[]) => {
          this.writes++;
          if (prop === "execute" && /^\s*INSERT INTO `[^`]+`\.`_dlt_loads`/.test(String(args[0]))) this.commitAt = this.writes;
          if (this.writes === this.failAt) throw new Error(`injected failure at write ${this.writes} (${prop})`);
          // Bound to the real connection: loadRows' own loadFile is one write, not two.
          return fn.apply(target, args);
        };
      },
    });
  }
}

/**
 * Two datasets get the same generations of data: R without faults, F with write k of
 * generation k+1 failing (so k runs over every write a commit makes), then `load()` again to
 * finish the pending package (a failure after the `_dlt_loads` row only warns: the load stands
 * and the next load clears up). After each generation F must hold exactly what R holds (rows,
 * child links, key-set marks, `_dlt_loads`, state, versions, `_dlt_rejected`), the reconciliation
 * counts LoadInfo reports must agree, and at the end no staging table is left.
 */
async function crashEachStep(c: WriteCase): Promise<void> {
  const tag = Math.random().toString(36).slice(2, 7);
  const ref = new FaultyBigQuery({ credentials: { project_id: emu!.projectId }, apiEndpoint: emu!.endpoint });
  const faulty = new FaultyBigQuery({ credentials: { project_id: emu!.projectId }, apiEndpoint: emu!.endpoint });
  const make = (destination: FaultyBigQuery, datasetName: string): Pipeline =>
    pipeline({
      pipelineName: `crash_${c.name}`,
      destination,
      datasetName,
      pipelinesDir: join(root, `${c.name}-${datasetName}`),
      config: new ConfigResolver([]),
    });
  const pr = make(ref, `crash_${c.name}_r_${tag}`);
  const pf = make(faulty, `crash_${c.name}_f_${tag}`);
  // What LoadInfo says the key sets did, without the load id (it differs between the pipelines).
  const counts = (info: LoadInfo) => info.reconciliation.map(({ loadId: _, ...r }) => r);
  const run = async (p: Pipeline, g: Generation) => {
    // A generation with a quarantined item makes run() reject after its load committed.
    const info = await p.run(resource(g.fn, { name: "items", ...c.hints })).catch((err: unknown) => {
      if (g.quarantines && err instanceof RejectedItemsError) return err.loadInfo;
      throw err;
    });
    return counts(info);
  };
  try {
    let steps = 0;
    for (let gen = 1; steps === 0; gen++) {
      const g = c.generation(gen);
      ref.writes = 0;
      const expected = await run(pr, g);
      const k = gen - 1;
      if (k === 0 || k > ref.writes) {
        // The first generation, and one clean load after the last write was failed (it also
        // drops what a failure after the commit left in staging).
        await run(pf, g);
        if (k > 0) steps = ref.writes;
      } else {
        faulty.writes = 0;
        faulty.failAt = k;
        const outcome = await run(pf, g).then(
          (r) => ({ reconciled: r }),
          (err: unknown) => ({ err }),
        );
        faulty.failAt = undefined;
        expect(faulty.writes, `write ${k} was reached`).toBeGreaterThanOrEqual(k);
        if ("err" in outcome) {
          expect(String(outcome.err), `write ${k}`).toMatch(/injected failure/);
          // The rerun's LoadInfo reports what the uninterrupted load did.
          expect(counts(await pf.load()), `write ${k}`).toEqual(expected);
        } else {
          // A write after `_dlt_loads` (cleaning up): the load stands, with a warning.
          expect(k, "only a write after the commit may fail without failing the load").toBeGreaterThan(ref.commitAt);
          expect(outcome.reconciled, `write ${k}`).toEqual(expected);
        }
      }
      expect(await datasetSnapshot(pf), `after a failure at write ${k}`).toEqual(await datasetSnapshot(pr));
      if (process.env.BQ_CRASH_TRACE) process.stderr.write(`${c.name}: generation ${gen}, failed write ${k} of ${ref.writes}\n`);
    }
    expect(steps).toBeGreaterThan(10);
    // Writes after the commit point were failed too (cleaning up: the load stands, with a warning).
    expect(steps).toBeGreaterThan(ref.commitAt);
    const conn = await BigQueryConnection.open({ projectId: emu!.projectId, location: "US", apiEndpoint: emu!.endpoint });
    expect(await conn.query(`SELECT table_name FROM \`${pf.datasetName}_staging\`.INFORMATION_SCHEMA.TABLES`)).toEqual([]);
  } finally {
    const conn = await BigQueryConnection.open({ projectId: emu!.projectId, location: "US", apiEndpoint: emu!.endpoint });
    for (const d of [pr.datasetName, pf.datasetName]) {
      await conn.dropDataset(d);
      await conn.dropDataset(`${d}_staging`);
    }
  }
}
