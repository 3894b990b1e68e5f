import { Readable } from "node:stream";
import { pipeline as streamPipeline } from "node:stream/promises";
import pg from "pg";
import copyStreams from "pg-copy-streams";
import { ConfigResolver } from "../src/config/index.js";
import { postgres } from "../src/destinations/postgres/index.js";
import { resource } from "../src/extract/index.js";
import { Pipeline } from "../src/pipeline/index.js";
import { type BenchResult, fmt, time, withTempDir } from "./lib.js";

/**
 * Postgres load throughput (issue 5): the pipeline (COPY of the load files, dispositions and
 * bookkeeping in one transaction) against a bare `COPY FROM STDIN` of the same rows through
 * pg-copy-streams, measured in the same run against the same server.
 */
const PG_URL = process.env.PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const FLAT = Number(process.env.BENCH_PG_FLAT ?? 1_000_000);
const INVOICES = Number(process.env.BENCH_PG_INVOICES ?? 200_000);
const PAGE = 10_000;

function flat(i: number): Record<string, unknown> {
  return {
    id: i,
    name: `customer ${i}`,
    email: `c${i}@example.com`,
    amount: `${(i % 100_000) / 100}`,
    quantity: i % 97,
    ratio: (i % 1000) / 7,
    active: i % 3 === 0,
    created_at: `2024-03-${String((i % 28) + 1).padStart(2, "0")}T10:${String(i % 60).padStart(2, "0")}:00Z`,
  };
}

function invoice(i: number): Record<string, unknown> {
  const day = String((i % 28) + 1).padStart(2, "0");
  return {
    id: `inv${i}`,
    invoice_number: `SI-${i}`,
    contact: { id: `c${i % 500}`, displayed_as: `Customer ${i % 500}` },
    date: `2024-03-${day}`,
    net_amount: `${(i % 1000) + 100}.00`,
    total_amount: `${((i % 1000) + 100) * 1.2}`,
    status: "UNPAID",
    updated_at: `2024-03-${day}T11:${String(i % 60).padStart(2, "0")}:00Z`,
    invoice_lines: [1, 2].map((k) => ({
      id: `line${i}-${k}`,
      description: `Consulting, item ${k}`,
      quantity: "1.00",
      unit_price: "50.00",
    })),
  };
}

function pages(n: number, make: (i: number) => Record<string, unknown>) {
  return function* () {
    for (let start = 0; start < n; start += PAGE) {
      yield Array.from({ length: Math.min(PAGE, n - start) }, (_, k) => make(start + k));
    }
  };
}

function esc(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  if (typeof v === "boolean") return v ? "t" : "f";
  const text = typeof v === "object" ? JSON.stringify(v) : (v as string | number | bigint).toString();
  return text.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!);
}

/** Bare COPY: rows built in JS, serialized to COPY text and streamed, nothing else. */
async function bareCopy(client: pg.Client, table: string, columns: string[], rows: () => Iterable<unknown[]>): Promise<void> {
  function* text() {
    let chunk: string[] = [];
    for (const r of rows()) {
      chunk.push(`${r.map(esc).join("\t")}\n`);
      if (chunk.length >= 5000) {
        yield chunk.join("");
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk.join("");
  }
  const stream = client.query(copyStreams.from(`COPY ${table} (${columns.join(", ")}) FROM STDIN`));
  await streamPipeline(Readable.from(text()), stream);
}

interface Measured {
  rows: number;
  extract: number;
  normalize: number;
  load: number;
  bare: number;
}

async function runPipeline(
  dir: string,
  schema: string,
  name: string,
  data: ReturnType<typeof resource>,
): Promise<Omit<Measured, "bare">> {
  const p = new Pipeline({
    pipelineName: name,
    destination: postgres({ credentials: PG_URL }),
    datasetName: schema,
    pipelinesDir: dir,
    config: new ConfigResolver([]),
  });
  const extract = await time(() => p.extract(data));
  const normalize = await time(() => p.normalize());
  const load = await time(() => p.load());
  const rows = Object.values(load.value.rowCounts).reduce((a, b) => a + b, 0);
  return { rows, extract: extract.seconds, normalize: normalize.seconds, load: load.seconds };
}

async function probe(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await c.end().catch(() => undefined);
  }
}

function row(label: string, m: Measured): string[] {
  const pipelineRate = m.rows / m.load;
  const bareRate = m.rows / m.bare;
  const total = m.extract + m.normalize + m.load;
  return [
    `| ${label}: pipeline load step (COPY + dispositions + bookkeeping, 1 transaction) | ${fmt(m.rows)} | ${fmt(m.load, 2)} | ${fmt(pipelineRate)} |`,
    `| ${label}: bare \`COPY FROM STDIN\` (pg-copy-streams) | ${fmt(m.rows)} | ${fmt(m.bare, 2)} | ${fmt(bareRate)} |`,
    `| ${label}: normalize + load (from the rows as extracted to committed tables) | ${fmt(m.rows)} | ${fmt(m.normalize + m.load, 2)} | ${fmt(m.rows / (m.normalize + m.load))} |`,
    `| ${label}: whole pipeline (extract ${fmt(m.extract, 1)} s + normalize ${fmt(m.normalize, 1)} s + load) | ${fmt(m.rows)} | ${fmt(total, 2)} | ${fmt(m.rows / total)} |`,
  ];
}

export default async function (): Promise<BenchResult> {
  const title = "Load into Postgres (issue 5)";
  const down = await probe();
  const shown = PG_URL.replace(/:[^:@/]*@/, ":***@");
  if (down) {
    return {
      title,
      markdown: `Not measured: no Postgres server at ${shown} (${down}). Start one or set PG_URL and run \`npm run bench -- postgres\`.`,
    };
  }
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const schema = `bench_pg_${process.pid}`;
  try {
    return await withTempDir(async (dir) => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);

      const f = await runPipeline(
        `${dir}/flat`,
        schema,
        "bench_flat",
        resource(pages(FLAT, flat), { name: "customers", columns: { amount: { dataType: "decimal" } } }),
      );
      await admin.query(
        `CREATE TABLE ${schema}.bare_flat (id bigint, name varchar, email varchar, amount numeric(38,9), quantity bigint, ratio double precision, active boolean, created_at timestamptz, _dlt_load_id varchar NOT NULL, _dlt_id varchar NOT NULL)`,
      );
      const fb = await time(() =>
        bareCopy(
          admin,
          `${schema}.bare_flat`,
          ["id", "name", "email", "amount", "quantity", "ratio", "active", "created_at", "_dlt_load_id", "_dlt_id"],
          function* () {
            for (let i = 0; i < FLAT; i++) {
              const r = flat(i);
              yield [r.id, r.name, r.email, r.amount, r.quantity, r.ratio, r.active, r.created_at, "1.0", `id${i}`];
            }
          },
        ),
      );

      const n = await runPipeline(
        `${dir}/nested`,
        schema,
        "bench_nested",
        resource(pages(INVOICES, invoice), {
          name: "invoices",
          writeDisposition: "append",
          columns: { net_amount: { dataType: "decimal" }, total_amount: { dataType: "decimal" } },
        }),
      );
      await admin.query(
        `CREATE TABLE ${schema}.bare_inv (id varchar, invoice_number varchar, contact__id varchar, contact__displayed_as varchar, date date, net_amount numeric(38,9), total_amount numeric(38,9), status varchar, updated_at timestamptz, _dlt_load_id varchar NOT NULL, _dlt_id varchar NOT NULL)`,
      );
      await admin.query(
        `CREATE TABLE ${schema}.bare_lines (id varchar, description varchar, quantity varchar, unit_price varchar, _dlt_root_id varchar NOT NULL, _dlt_parent_id varchar NOT NULL, _dlt_list_idx bigint NOT NULL, _dlt_id varchar NOT NULL)`,
      );
      const nb = await time(async () => {
        await bareCopy(
          admin,
          `${schema}.bare_inv`,
          [
            "id",
            "invoice_number",
            "contact__id",
            "contact__displayed_as",
            "date",
            "net_amount",
            "total_amount",
            "status",
            "updated_at",
            "_dlt_load_id",
            "_dlt_id",
          ],
          function* () {
            for (let i = 0; i < INVOICES; i++) {
              const r = invoice(i);
              const c = r.contact as Record<string, string>;
              yield [
                r.id,
                r.invoice_number,
                c.id,
                c.displayed_as,
                r.date,
                r.net_amount,
                r.total_amount,
                r.status,
                r.updated_at,
                "1.0",
                `id${i}`,
              ];
            }
          },
        );
        await bareCopy(
          admin,
          `${schema}.bare_lines`,
          ["id", "description", "quantity", "unit_price", "_dlt_root_id", "_dlt_parent_id", "_dlt_list_idx", "_dlt_id"],
          function* () {
            for (let i = 0; i < INVOICES; i++) {
              const lines = invoice(i).invoice_lines as Array<Record<string, string>>;
              for (const [k, l] of lines.entries())
                yield [l.id, l.description, l.quantity, l.unit_price, `id${i}`, `id${i}`, k, `l${i}_${k}`];
            }
          },
        );
      });

      const flatM: Measured = { ...f, bare: fb.seconds };
      const nestedM: Measured = { ...n, bare: nb.seconds };
      const ratio = (m: Measured) => m.rows / m.load / (m.rows / m.bare);
      const ratioNl = (m: Measured) => m.bare / (m.normalize + m.load);
      return {
        title,
        markdown: [
          `${fmt(FLAT)} flat rows (8 columns incl. a decimal and a timestamp) and ${fmt(INVOICES)} nested invoices (1 root row + 2 line rows each) into Postgres at ${shown}. The baseline is a bare \`COPY FROM STDIN\` of the same rows (same columns and types, COPY text built in JS) with pg-copy-streams, measured in the same run.`,
          "",
          "| path | rows | seconds | rows/s |",
          "| --- | ---: | ---: | ---: |",
          ...row("flat", flatM),
          ...row("nested", nestedM),
          "",
          `Ratio of the load step to bare COPY: flat **${fmt(ratio(flatM), 2)}x**, nested **${fmt(ratio(nestedM), 2)}x** (target ≥ 0.6x).`,
          `Ratio of normalize + load to bare COPY (the fair comparison: the bare loop also builds its COPY text from rows in memory): flat **${fmt(ratioNl(flatM), 2)}x**, nested **${fmt(ratioNl(nestedM), 2)}x**.`,
          "Normalize writes Postgres load files in COPY text format (columns fixed per file), so the load step streams them to COPY unchanged inside the one load transaction that also migrates the schema and writes `_dlt_version`, `_dlt_pipeline_state` and `_dlt_loads`; append and replace COPY straight into the tables, merge stages in temp tables first. Normalize (flattening, types, variants, encoding) is where the pipeline spends its time.",
        ].join("\n"),
      };
    });
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
}
