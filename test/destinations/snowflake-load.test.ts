import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigResolver } from "../../src/config/resolver.js";
import type { Destination, DestinationClient, LoadRequest } from "../../src/destinations/destination.js";
import type { SqlConnection } from "../../src/destinations/sql/sql-connection.js";
import { resource } from "../../src/extract/resource.js";
import { pipeline } from "../../src/pipeline/pipeline.js";
import { type Fakesnow, fakesnowSkipReason, startFakesnow } from "./fakesnow.js";

// The Snowflake load protocol and query session on fakesnow (see fakesnow.ts), beyond the conformance suite.
const skip = fakesnowSkipReason();
let fs: Fakesnow | undefined;
const root = mkdtempSync(join(tmpdir(), "snowflake-load-"));
beforeAll(async () => {
  if (!skip) fs = await startFakesnow();
}, 120_000);
afterAll(async () => {
  await fs?.stop();
  rmSync(root, { recursive: true, force: true });
});

const invoices = (gen: number) =>
  resource(
    function* () {
      yield [
        { id: 1, v: `a${gen}`, lines: [{ n: 1 }, { n: 2 }] },
        { id: 2, v: `b${gen}`, lines: [{ n: 3 }] },
      ];
    },
    { name: "inv", primaryKey: "id", writeDisposition: "merge" },
  );

/** The destination with its client's load changed by `edit` (a fault injected at the seam). */
function faulty(d: Destination, edit: (req: LoadRequest) => LoadRequest): Destination {
  return {
    name: d.name,
    capabilities: d.capabilities,
    location: (o) => d.location(o),
    async connect(o): Promise<DestinationClient> {
      const c = await d.connect(o);
      return Object.assign(Object.create(c) as DestinationClient, { load: (req: LoadRequest) => c.load(edit(req)) });
    },
  };
}

/** Run `before(sql)` ahead of each statement the client sends (a timing seam on the real session). */
function gateStatements(
  client: DestinationClient,
  before: (sql: string) => Promise<void>,
  after: (sql: string) => Promise<void>,
) {
  const conn = (client as unknown as { conn: SqlConnection }).conn;
  const execute = conn.execute.bind(conn);
  conn.execute = async (sql, params) => {
    await before(sql);
    try {
      await execute(sql, params);
    } finally {
      await after(sql);
    }
  };
}

const isLockUpdate = (sql: string) => /^UPDATE .*"_DLT_LOAD_LOCK"/.test(sql);

describe.skipIf(skip !== undefined)(`snowflake load protocol on fakesnow${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const make = (datasetName: string, destination: Destination, onProgress?: (e: { step: string; table?: string }) => void) =>
    pipeline({
      pipelineName: datasetName,
      destination,
      datasetName,
      pipelinesDir: join(root, datasetName),
      config: new ConfigResolver([]),
      ...(onProgress ? { onProgress } : {}),
    });

  it("a load that dies after its files were staged (tables made, nothing in the transaction) commits nothing; the next load finishes the package once", async () => {
    const ds = `sfc_${Math.random().toString(36).slice(2, 8)}`;
    await make(ds, fs!.destination()).run(invoices(1));
    let staged = 0;
    const dying = make(ds, fs!.destination(), (e) => {
      if (e.step === "load" && e.table && ++staged === 1) throw new Error("simulated crash after staging");
    });
    await expect(dying.run(invoices(2))).rejects.toThrow(/simulated crash after staging/);
    const data = make(ds, fs!.destination()).dataset();
    expect((await data.table("inv").orderBy("id").rows()).map((r) => r.v)).toEqual(["a1", "b1"]);
    expect(await data.table("_dlt_loads").count()).toBe(1);
    const info = await make(ds, fs!.destination()).load();
    expect(info.loadPackages.map((x) => x.alreadyLoaded)).toEqual([false]);
    expect((await data.table("inv").orderBy("id").rows()).map((r) => r.v)).toEqual(["a2", "b2"]);
    expect(await data.table("inv__lines").count()).toBe(3);
    expect(await data.table("_dlt_loads").count()).toBe(2);
  });

  it("a statement that fails inside the transaction (after the merge ran) rolls the whole package back", async () => {
    const ds = `sfr_${Math.random().toString(36).slice(2, 8)}`;
    await make(ds, fs!.destination()).run(invoices(1));
    // A state row whose version is not a number: its INSERT, after the dispositions, fails.
    const broken = faulty(fs!.destination(), (req) => ({
      ...req,
      stateRow: {
        version: "not-a-number" as unknown as number,
        engineVersion: 1,
        pipelineName: ds,
        state: "",
        createdAt: new Date().toISOString(),
        versionHash: "h",
        dltId: "d",
      },
    }));
    await expect(make(ds, broken).run(invoices(2))).rejects.toThrow();
    const data = make(ds, fs!.destination()).dataset();
    expect((await data.table("inv").orderBy("id").rows()).map((r) => r.v)).toEqual(["a1", "b1"]);
    expect(await data.table("inv__lines").count()).toBe(3);
    expect(await data.table("_dlt_loads").count()).toBe(1);
    await make(ds, fs!.destination()).load();
    expect((await data.table("inv").orderBy("id").rows()).map((r) => r.v)).toEqual(["a2", "b2"]);
  });

  it("the query session runs one query, capped, and refuses DML, DDL, stage commands and a second statement", async () => {
    const ds = `sfq_${Math.random().toString(36).slice(2, 8)}`;
    const destination = fs!.destination();
    const p = make(ds, destination);
    await p.run(resource(() => [{ id: 1 }, { id: 2 }, { id: 3 }], { name: "t" }));
    const session = await destination.openQuerySession({
      datasetName: ds,
      pipelineName: ds,
      workingDir: p.workingDir.path,
      maxRows: 2,
      timeoutMs: 30_000,
    });
    try {
      expect(await session.query("select id from t order by id")).toEqual({
        columns: ["id"],
        rows: [{ id: 1 }, { id: 2 }],
        truncated: true,
      });
      expect(await session.query("with x as (select id from t where id = 3) select id from x;")).toEqual({
        columns: ["id"],
        rows: [{ id: 3 }],
        truncated: false,
      });
      expect(await session.tableNames()).toContain("t");
      for (const sql of [
        "drop table t",
        "delete from t",
        "insert into t (id) values (4)",
        "update t set id = 5",
        "create table x (a int)",
        "select 1; drop table t",
        "list @~",
        "create stage s",
        "alter session set timezone = 'Europe/London'",
        "begin",
      ]) {
        const err = await session.query(sql).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(err, sql).toBeInstanceOf(Error);
        expect(err!.name, sql).toBe("QueryError");
      }
      expect((await session.query("select count(*) as n from t")).rows).toEqual([{ n: 3 }]);
    } finally {
      await session.close();
    }
    expect(await p.dataset().table("t").count()).toBe(3);
  });

  it("two clients committing the same package at the same moment: one commits, the other is refused at the dataset lock; rows are not doubled", async () => {
    const ds = `sfl_${Math.random().toString(36).slice(2, 8)}`;
    const destination = fs!.destination();
    const rows = (gen: number) => resource(() => [1, 2, 3].map((id) => ({ id, gen })), { name: "ev" });
    await make(ds, destination).run(rows(1)); // the tables exist: the race is about the commit, not CREATE
    let second: PromiseSettledResult<void> | undefined;
    let late: PromiseSettledResult<void> | undefined;
    const racing: Destination = {
      name: destination.name,
      capabilities: destination.capabilities,
      location: (o) => destination.location(o),
      async connect(o): Promise<DestinationClient> {
        const a = await destination.connect(o);
        const b = await destination.connect(o);
        // A takes the lock and holds its transaction open until B has tried to take it too.
        let aLocked!: () => void;
        const aHolds = new Promise<void>((ok) => (aLocked = ok));
        let bTried!: () => void;
        const bDone = new Promise<void>((ok) => (bTried = ok));
        const noop = () => Promise.resolve();
        gateStatements(a, noop, async (sql) => {
          if (!isLockUpdate(sql)) return;
          aLocked();
          await Promise.race([bDone, new Promise((ok) => setTimeout(ok, 30_000))]);
        });
        gateStatements(
          b,
          async (sql) => {
            if (isLockUpdate(sql)) await aHolds;
          },
          (sql) => {
            if (isLockUpdate(sql)) bTried();
            return Promise.resolve();
          },
        );
        return Object.assign(Object.create(a) as DestinationClient, {
          load: async (req: LoadRequest) => {
            const [first, other] = await Promise.allSettled([a.load(req), b.load(req)]);
            second = other;
            // After A's commit, a load of the same package takes the lock and skips it.
            late = (await Promise.allSettled([b.load(req)]))[0];
            if (first.status === "rejected") throw first.reason;
          },
          close: async () => {
            await a.close();
            await b.close();
          },
        });
      },
    };
    await make(ds, racing).run(rows(2));
    // fakesnow (DuckDB) refuses B's UPDATE with a write conflict; Snowflake would make it wait.
    expect(second?.status).toBe("rejected");
    const reason = (second as PromiseRejectedResult).reason as Error;
    expect(reason.name).toBe("LoadError");
    expect(reason.message).toMatch(/could not take the dataset lock \(_dlt_load_lock\)/);
    expect(reason.message).toMatch(/conflict/i);
    expect(late?.status).toBe("fulfilled");
    const data = make(ds, fs!.destination()).dataset();
    expect(await data.table("_dlt_loads").count()).toBe(2);
    expect(await data.table("ev").count()).toBe(6);
    expect(await data.table("ev").where("gen = 2").count()).toBe(3);
  });
});
