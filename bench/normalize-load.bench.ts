import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigResolver, EnvProvider } from "../src/config/index.js";
import { duckdb } from "../src/destinations/duckdb/index.js";
import { resource } from "../src/extract/index.js";
import { Pipeline } from "../src/pipeline/index.js";
import { type BenchResult, fmt, time, withTempDir } from "./lib.js";

const N = Number(process.env.BENCH_INVOICES ?? 200_000);

/** An invoice-like record of about 750 bytes with two lines, as Sage sends them (money as strings). */
export function invoice(i: number): Record<string, unknown> {
  const day = String((i % 28) + 1).padStart(2, "0");
  const ref = (id: string, name: string) => ({ id, displayed_as: name });
  return {
    id: `inv${String(i).padStart(12, "0")}`,
    invoice_number: `SI-${i}`,
    contact: ref(`c${i % 500}`, `Customer ${i % 500}`),
    date: `2024-03-${day}`,
    due_date: `2024-04-${day}`,
    status: ref("UNPAID", "Unpaid"),
    net_amount: `${(i % 1000) + 100}.00`,
    tax_amount: `${((i % 1000) + 100) * 0.2}`,
    total_amount: `${((i % 1000) + 100) * 1.2}`,
    currency: ref("GBP", "Pound Sterling"),
    created_at: `2024-03-${day}T10:${String(i % 60).padStart(2, "0")}:00Z`,
    updated_at: `2024-03-${day}T11:${String(i % 60).padStart(2, "0")}:00Z`,
    invoice_lines: [1, 2].map((k) => ({
      id: `l${i}-${k}`,
      description: `Consulting, item ${k}`,
      ledger_account: ref("4000", "Sales"),
      quantity: "1.00",
      unit_price: "50.00",
      net_amount: "50.00",
      tax_rate: ref("GB_STANDARD", "Standard 20%"),
    })),
  };
}

export const MONEY = {
  net_amount: { dataType: "decimal" as const },
  tax_amount: { dataType: "decimal" as const },
  total_amount: { dataType: "decimal" as const },
  invoice_lines__quantity: { dataType: "decimal" as const },
  invoice_lines__unit_price: { dataType: "decimal" as const },
  invoice_lines__net_amount: { dataType: "decimal" as const },
};

/** The bench's data: n invoices in pages of 1000, merged on id, with the money hints. */
export function invoices(n: number) {
  return resource(
    function* () {
      for (let i = 0; i < n; i += 1000) {
        const page = [];
        for (let j = i; j < Math.min(n, i + 1000); j++) page.push(invoice(j));
        yield page;
      }
    },
    { name: "sales_invoices", primaryKey: "id", writeDisposition: "merge", columns: MONEY },
  );
}

export default async function run(): Promise<BenchResult> {
  return withTempDir(async (dir) => {
    // The same records as one JSONL file, for DuckDB's own read_json (the floor).
    const lines: string[] = [];
    for (let i = 0; i < N; i++) lines.push(JSON.stringify(invoice(i)));
    const raw = join(dir, "invoices.jsonl");
    writeFileSync(raw, lines.join("\n") + "\n");
    const bytes = lines.reduce((a, l) => a + l.length + 1, 0);

    const p = new Pipeline({
      pipelineName: "bench",
      datasetName: "data",
      destination: duckdb({ credentials: join(dir, "bench.duckdb") }),
      pipelinesDir: join(dir, "pipelines"),
      config: new ConfigResolver([new EnvProvider({})]),
    });
    const src = invoices(N);
    const ex = await time(() => p.extract(src));
    const norm = await time(() => p.normalize());
    const load = await time(() => p.load());
    const ours = norm.seconds + load.seconds;

    const { DuckDBInstance } = await import("@duckdb/node-api");
    const inst = await DuckDBInstance.create(join(dir, "floor.duckdb"));
    const c = await inst.connect();
    const floor = await time(() =>
      c.run(`CREATE TABLE invoices AS SELECT * FROM read_json('${raw}', format = 'newline_delimited')`),
    );
    c.closeSync();
    inst.closeSync();

    const ratio = floor.seconds / ours;
    const rows = N;
    return {
      title: "Normalize + load into DuckDB (issue 2)",
      markdown: [
        `${fmt(N)} invoice-like records (${fmt(bytes / N)} bytes each on average, 2 lines each; ${fmt(N * 3)} rows in 2 tables after normalizing), merge disposition with decimal hints.`,
        "",
        "| step | seconds | records/s |",
        "| --- | ---: | ---: |",
        `| extract (not in the ratio) | ${fmt(ex.seconds, 2)} | ${fmt(rows / ex.seconds)} |`,
        `| normalize | ${fmt(norm.seconds, 2)} | ${fmt(rows / norm.seconds)} |`,
        `| load (staging + merge, one transaction) | ${fmt(load.seconds, 2)} | ${fmt(rows / load.seconds)} |`,
        `| **normalize + load** | **${fmt(ours, 2)}** | **${fmt(rows / ours)}** |`,
        `| floor: DuckDB \`read_json\` of the same records into one table | ${fmt(floor.seconds, 2)} | ${fmt(rows / floor.seconds)} |`,
        "",
        `Ratio (pipeline rate / floor rate): **${fmt(ratio, 2)}x** (target ≥ 0.5x).`,
      ].join("\n"),
    };
  });
}
