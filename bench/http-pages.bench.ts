import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigResolver } from "../src/config/index.js";
import type { Resource, ResourceContext } from "../src/extract/index.js";
import { restApiResources } from "../src/rest/index.js";
import { logger } from "../src/util/logger.js";
import { type BenchResult, fmt, time } from "./lib.js";

const PAGES = 200;
const LATENCY_MS = 100;
const CONCURRENCY = 8;
const PAGE_SIZE = 20;

/** A page-numbered API that takes LATENCY_MS per page and says how many pages there are. */
async function startApi(): Promise<{ url: string; maxInFlight: () => number; reset: () => void; close: () => Promise<void> }> {
  let inFlight = 0;
  let peak = 0;
  const server = createServer((req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    const page = Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1);
    const data = Array.from({ length: PAGE_SIZE }, (_, k) => ({ id: (page - 1) * PAGE_SIZE + k + 1, page }));
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data, page, total_pages: PAGES }));
      inFlight--;
    }, LATENCY_MS);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    maxInFlight: () => peak,
    reset: () => {
      peak = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      );
    },
  };
}

async function drain(r: Resource): Promise<number[]> {
  const ctx: ResourceContext = {
    resourceName: r.name,
    sourceName: "bench",
    incremental: undefined,
    state: {},
    sourceState: {},
    signal: new AbortController().signal,
    log: logger("bench"),
    reportIncomplete: (part) => {
      throw new Error(`incomplete: ${String(part.reason)}`);
    },
    reportKeySet: () => undefined,
    reportSkipped: () => undefined,
  };
  const ids: number[] = [];
  for await (const page of (await r.fn!(ctx)) as AsyncIterable<Array<{ id: number }>>) for (const item of page) ids.push(item.id);
  return ids;
}

function pagesResource(url: string, parallel: boolean): Resource {
  const [r] = restApiResources(
    {
      client: { baseUrl: url, limiter: { maxConcurrency: CONCURRENCY } },
      resources: [
        {
          name: "pages",
          endpoint: {
            path: "items",
            dataSelector: "data",
            paginator: { type: "page_number", basePage: 1, totalPath: "total_pages", parallel },
          },
        },
      ],
    },
    { resolver: new ConfigResolver([]) },
  );
  return r!;
}

/** 200 pages at 100 ms with 8 concurrent requests allowed, against the ideal and against paging one by one (dlt). */
export default async function httpPages(): Promise<BenchResult> {
  const api = await startApi();
  try {
    // Warm the connection pool so both runs start alike.
    await drain(pagesResource(api.url, true));
    api.reset();
    const par = await time(() => drain(pagesResource(api.url, true)));
    const parPeak = api.maxInFlight();
    api.reset();
    const seq = await time(() => drain(pagesResource(api.url, false)));
    const expected = PAGES * PAGE_SIZE;
    const inOrder = (ids: number[]) => ids.length === expected && ids.every((id, i) => id === i + 1);
    if (!inOrder(par.value) || !inOrder(seq.value)) throw new Error("http-pages bench: items missing or out of order");

    const ideal = (Math.ceil(PAGES / CONCURRENCY) * LATENCY_MS) / 1000;
    const sequentialIdeal = (PAGES * LATENCY_MS) / 1000;
    const ratio = par.seconds / ideal;
    const row = (name: string, s: number, peak: string) =>
      `| ${name} | ${fmt(s, 2)} s | ${fmt(s / ideal, 2)}× | ${fmt(sequentialIdeal / s, 1)}× | ${peak} |`;
    const markdown = [
      `${PAGES} pages of ${PAGE_SIZE} items, ${LATENCY_MS} ms latency per page, limiter at ${CONCURRENCY} concurrent requests, page_number paginator with \`totalPath\`.`,
      `Ideal with ${CONCURRENCY} in flight: ceil(${PAGES}/${CONCURRENCY}) × ${LATENCY_MS} ms = ${fmt(ideal, 2)} s. Sequential paging (what dlt does): ${PAGES} × ${LATENCY_MS} ms = ${fmt(sequentialIdeal, 1)} s.`,
      "",
      "| run | wall time | vs ideal | speed-up vs sequential ideal | peak in flight |",
      "|---|---|---|---|---|",
      row("parallel pages", par.seconds, String(parPeak)),
      row("sequential (`parallel: false`)", seq.seconds, "1"),
      "",
      `Parallel pages: **${fmt(ratio, 2)}× the ideal** (target ≤ 1.2×; the first page is fetched alone to learn the total), ${fmt(seq.seconds / par.seconds, 1)}× faster than sequential paging measured in the same run. Items arrive complete and in page order.`,
    ].join("\n");
    return { title: "HTTP: parallel pages", markdown };
  } finally {
    await api.close();
  }
}
