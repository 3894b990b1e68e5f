import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SageView } from "../../src/dashboard/api/sage-view.js";
import { type Dashboard, startDashboard } from "../../src/dashboard/index.js";
import { duckdb } from "../../src/destinations/duckdb/index.js";
import { Pipeline } from "../../src/pipeline/index.js";
import { DEFAULT_RESOURCES, sageAccountingSource } from "../../src/sage/index.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";
import { browserMissing, launchBrowser } from "./browser.js";

/**
 * "Sage at a glance" and the schema explorer in Chromium, on the demo's pipeline: the demo's
 * sandbox (its two default businesses, the second in Ireland on Standard, where some endpoints
 * answer 404) with every default resource, loaded twice, the first run meeting two 429s on
 * /contacts. Each view must show the numbers the API and the sandbox's own request log give,
 * with no console error; screenshots go to test-output/dashboard/.
 */
const missing = browserMissing();
const dir = tempDir("sp-dash-glance-");
const SHOTS = fileURLToPath(new URL("../../test-output/dashboard/", import.meta.url));
const PIPELINE = "sage_accounting_pipeline";

describe.skipIf(missing !== undefined)(
  `Sage at a glance and schema versions in Chromium${missing ? ` (skipped: ${missing})` : ""}`,
  () => {
    let sb: Sandbox;
    let dash: Dashboard;
    let browser: { context: BrowserContext; close(): Promise<void> };
    let page: Page;
    const consoleErrors: string[] = [];
    const stops: Array<() => Promise<void>> = [];
    /** Requests the sandbox saw per run (every path and status). */
    const sent: number[] = [];

    const count = (v: number) => v.toLocaleString("en-US");
    const cardValue = (id: string) => page.locator(`[data-testid=${id}] .value`).innerText();
    async function open(hash: string, ready: string): Promise<void> {
      await page.goto(`${dash.url}/${hash}`);
      await page.locator(ready).first().waitFor();
    }
    const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    const api = async <T>(path: string): Promise<T> => (await (await fetch(`${dash.url}${path}`)).json()) as T;

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      // As `sage-pipeline demo` starts it, smaller.
      sb = await startSandbox({ port: 0, businesses: 2, scale: 0.02 });
      stops.push(() => sb.close());
      const info = sb.info();
      const source = (resources?: string[]) =>
        sageAccountingSource(
          {
            baseUrl: sb.apiBaseUrl,
            tokenUrl: sb.tokenUrl,
            clientId: info.clientId,
            clientSecret: sb.options.clientSecret,
            refreshToken: sb.issueTokens("readonly").refresh_token,
            tokenStore: join(dir, "tokens.json"),
            ...(resources ? { resources } : {}),
          },
          emptyConfig(),
        );
      const p = new Pipeline({
        pipelineName: PIPELINE,
        datasetName: "sage_accounting_data",
        destination: duckdb({ credentials: join(dir, "demo.duckdb") }),
        pipelinesDir: join(dir, "pipelines"),
        config: emptyConfig(),
      });
      const total = () => sb.stats.totalRequests;
      sb.resetStats();
      sb.setFaults({ rules: [{ path: "/contacts", fault: 429, times: 2, retryAfterSeconds: 0 }] });
      await p.run(source());
      sent.push(total());
      sb.resetStats();
      // The second run also reads one more endpoint: a new table, so a second schema version to diff.
      await p.run(source([...DEFAULT_RESOURCES, "address_types"]));
      sent.push(total());
      dash = await startDashboard({ pipelinesDir: join(dir, "pipelines"), config: emptyConfig(), port: 0 });
      stops.push(() => dash.close());
      browser = await launchBrowser();
      stops.push(() => browser.close());
      page = await browser.context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error") consoleErrors.push(m.text());
      });
      page.on("pageerror", (e) => consoleErrors.push(e.message));
    }, 240_000);

    afterAll(async () => {
      for (const stop of stops.reverse()) await stop();
    });

    it("Sage at a glance: requests, 429s and retries per run as the sandbox counted them, per resource, and the skips", async () => {
      await open(`#/${PIPELINE}/sage`, "[data-testid=resource-requests]");
      const v = await api<SageView>(`/api/pipelines/${PIPELINE}/sage`);
      expect(v.runs.map((r) => r.requests)).toEqual(sent);
      expect(await cardValue("count-runs")).toBe("2");
      expect(await cardValue("count-requests")).toBe(count(sent[1]!));
      expect(await cardValue("count-throttled")).toBe("0");
      // The chart is drawn by Chart.js from the runs' numbers.
      await page.locator("[data-testid=requests-chart] canvas").waitFor();
      const chartData = await page
        .locator("[data-testid=requests-chart]")
        .evaluate((el) =>
          (el as unknown as { chart: { data: { datasets: Array<{ label: string; data: number[] }> } } }).chart.data.datasets.map(
            (d) => [d.label, d.data],
          ),
        );
      expect(chartData).toEqual([
        ["requests", sent],
        ["429 Too Many Requests", [2, 0]],
        ["retries", [2, 0]],
      ]);
      // Runs, newest first: the first run's 429s and retries.
      const runRows = page.locator("[data-testid=runs-requests] tbody tr");
      expect(await runRows.count()).toBe(2);
      const first = await runRows.nth(1).locator("td").allInnerTexts();
      expect(first[3]).toBe(count(sent[0]!));
      expect(first[4]).toBe("2");
      expect(first[5]).toBe("2");
      // Per resource: every default resource's requests, right-aligned numbers, as the API has them.
      const rows = page.locator("[data-testid=resource-requests] tbody tr");
      expect(await rows.count()).toBe(v.lastExtract!.resources.length);
      for (const r of v.lastExtract!.resources.slice(0, 5)) {
        const cells = await rows.filter({ hasText: r.name }).first().locator("td").allInnerTexts();
        expect(cells[2], r.name).toBe(count(r.requests));
      }
      expect(await rows.first().locator("td").nth(2).getAttribute("class")).toContain("num");
      // Skips: the Irish Standard business has no stock items (404), said once per business and reason.
      const skipped = v.lastExtract!.skipped;
      expect(skipped.length).toBeGreaterThan(0);
      expect(await cardValue("count-skipped")).toBe(count(skipped.length));
      const skipRows = await page.locator("[data-testid=skipped-table] tbody tr").allInnerTexts();
      const harbour = skipRows.find((t) => t.includes("Harbour & Pine Ltd") && t.includes("404"));
      expect(harbour, skipRows.join("\n")).toContain("stock_items");
      expect(harbour).toContain("not available for its country or subscription (404)");
      await shot("sage-at-a-glance");
      expect(consoleErrors).toEqual([]);
    });

    it("Schema: Sage's descriptions beside the columns, the versions and the diff of the two newest", async () => {
      await open(`#/${PIPELINE}/schema`, "[data-testid=schema-versions]");
      await page.locator("[data-testid=schema-search]").fill("town/city");
      const contacts = page.locator('[data-testid=schema-tables] details[data-table="contacts"]');
      await contacts.waitFor();
      const cells = await contacts.locator("tbody tr").first().locator("td").allInnerTexts();
      expect(cells[0]).toMatch(/_address__city$/);
      expect(cells[4]).toMatch(/The address town\/city$/);
      const s = await api<{ versions: Array<{ version: number; versionHash: string; schemaName: string }> }>(
        `/api/pipelines/${PIPELINE}/schema`,
      );
      expect(await page.locator("[data-testid=schema-versions] tbody tr").count()).toBe(s.versions.length);
      const mine = s.versions.filter((x) => x.schemaName === "sage_accounting");
      expect(mine).toHaveLength(2);
      // The diff of the two newest opens by itself: the second run's new table.
      await page.locator("[data-testid=diff-summary]").waitFor();
      const [from, to] = mine;
      expect(await page.locator("[data-testid=diff-summary]").innerText()).toBe(
        `v${from!.version} → v${to!.version}: 1 tables added, 0 tables removed, 0 columns added, 0 columns removed, 0 types changed`,
      );
      const change = await page.locator("[data-testid=diff-table] tbody tr").first().locator("td").allInnerTexts();
      expect(change.slice(0, 3)).toEqual(["+", "table added", "address_types"]);
      // Read backwards, the same table was removed.
      await page.locator("[data-testid=diff-from]").selectOption(to!.versionHash);
      await page.locator("[data-testid=diff-to]").selectOption(from!.versionHash);
      await page.locator("[data-testid=diff-summary]", { hasText: "1 tables removed" }).waitFor();
      await page.locator("[data-testid=schema-search]").fill("");
      await shot("schema-versions");
      expect(consoleErrors).toEqual([]);
    });
  },
);
