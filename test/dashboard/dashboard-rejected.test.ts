import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/index.js";
import { type Dashboard, startDashboard } from "../../src/dashboard/index.js";
import { resource, tagPageUrl } from "../../src/extract/index.js";
import { RejectedItemsError } from "../../src/pipeline/incomplete.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";
import { browserMissing, launchBrowser } from "./browser.js";

/**
 * The Runs view's quarantined items (`/api/pipelines/<name>/data`, `rejected`): each names the
 * page it came from, redacted, and a dataset loaded before `_dlt_rejected` had `page_url` still
 * lists its items. Through the API, and in Chromium when it is installed.
 */
const missing = browserMissing();
const SHOTS = fileURLToPath(new URL("../../test-output/dashboard/", import.meta.url));
const dir = tempDir("sp-dash-rejected-");
const url = (n: number) => `https://api.example.test/v3.1/things?page=${n}&apikey=dash-page-canary`;
const things = () =>
  resource(() => [tagPageUrl([{ id: 1, v: "a" }], url(1)), tagPageUrl([{ id: 2, v: "b" }, { v: "no id" }], url(2))], {
    name: "things",
    primaryKey: "id",
    writeDisposition: "merge",
  });

async function onDuckDb(file: string, sql: string): Promise<void> {
  const db = await DuckDBInstance.create(file);
  const conn = await db.connect();
  try {
    await conn.run(sql);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe("dashboard: quarantined items", () => {
  let dash: Dashboard;
  // A secret this process knows, as the dashboard's own config would hold it.
  const secret = new Secret("dash-known-secret-7c2d");

  beforeAll(async () => {
    for (const name of ["paged", "older", "leaky"]) {
      await expect(duckPipeline(dir, { pipelineName: name }).run(things())).rejects.toBeInstanceOf(RejectedItemsError);
    }
    // A load from before sources tagged pages: its _dlt_rejected has no page_url column.
    await onDuckDb(join(dir, "older.duckdb"), "ALTER TABLE data._dlt_rejected DROP COLUMN page_url");
    // A page URL stored with a secret in a parameter the redaction does not know by name.
    await onDuckDb(
      join(dir, "leaky.duckdb"),
      `UPDATE data._dlt_rejected SET page_url = 'https://api.example.test/v3.1/things?page=2&session=${secret.reveal()}'`,
    );
    dash = await startDashboard({ pipelinesDir: join(dir, "pipelines"), config: emptyConfig(), port: 0 });
  }, 120_000);
  afterAll(async () => dash.close());

  const rejected = async (name: string) => {
    const res = await fetch(`${dash.url}/api/pipelines/${name}/data`);
    const text = await res.text();
    return { status: res.status, text, rows: (JSON.parse(text) as { rejected: Array<Record<string, unknown>> }).rejected };
  };

  it("lists each quarantined item with the redacted URL of its page, and never the raw item", async () => {
    const r = await rejected("paged");
    expect(r.status).toBe(200);
    expect(r.rows).toEqual([
      {
        load_id: expect.any(String),
        resource: "things",
        business_id: null,
        item_id: null,
        item_index: 3,
        page_url: "https://api.example.test/v3.1/things?page=2&apikey=***",
        reason: expect.stringContaining("primary key column id"),
      },
    ]);
    expect(r.text).not.toContain("dash-page-canary");
  });

  it("lists the items of a dataset whose _dlt_rejected has no page_url yet", async () => {
    const r = await rejected("older");
    expect(r.status).toBe(200);
    expect(r.rows).toEqual([expect.objectContaining({ resource: "things", item_index: 3, page_url: null })]);
  });

  it("masks a secret the dashboard knows, even in a page URL stored unmasked", async () => {
    const r = await rejected("leaky");
    expect(r.rows[0]!.page_url).toBe("https://api.example.test/v3.1/things?page=2&session=***");
    expect(r.text).not.toContain(secret.reveal());
  });

  describe.skipIf(missing !== undefined)(`the Runs view in Chromium${missing ? ` (skipped: ${missing})` : ""}`, () => {
    let browser: Awaited<ReturnType<typeof launchBrowser>>;
    let page: Page;
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      browser = await launchBrowser();
      page = await browser.context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error") consoleErrors.push(m.text());
      });
      page.on("pageerror", (e) => consoleErrors.push(e.message));
    }, 120_000);
    afterAll(async () => browser.close());

    /** The quarantined items table of a pipeline's Runs view: header cells and each row's cells. */
    async function quarantined(name: string): Promise<{ head: string[]; rows: string[][] }> {
      await page.goto(`${dash.url}/#/${name}/runs`);
      const table = page.locator("[data-testid=rejected-items-table]");
      await table.waitFor();
      const rows = [];
      for (const row of await table.locator("tbody tr").all()) rows.push(await row.locator("td").allInnerTexts());
      return { head: await table.locator("thead th").allInnerTexts(), rows };
    }

    it("shows the page each quarantined item came from, redacted", async () => {
      const { head, rows } = await quarantined("paged");
      expect(head).toEqual(["load id", "resource", "business", "id", "item", "page", "reason"]);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.slice(1, 6)).toEqual(["things", "null", "", "3", "https://api.example.test/v3.1/things?page=2&apikey=***"]);
      expect(await page.content()).not.toContain("dash-page-canary");
      await page.screenshot({ path: join(SHOTS, "runs-quarantined.png"), fullPage: true });
    });

    it("shows an older dataset's items with an empty page cell", async () => {
      const { rows } = await quarantined("older");
      expect(rows).toHaveLength(1);
      expect(rows[0]![5]).toBe("");
      expect(rows[0]![6]).toContain("primary key column id");
    });

    it("logged no console error", () => {
      expect(consoleErrors).toEqual([]);
    });
  });
});
