import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { sageAccountingSource } from "../../src/sage/index.js";
import { ConfigError } from "../../src/util/errors.js";
import { duckPipeline, emptyConfig, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-sage-src-");

describe("sageAccountingSource options", () => {
  let sb: Sandbox;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, businesses: 2, scale: 0.05, seed: 3 });
    token = sb.issueTokens().access_token;
  });
  afterAll(async () => sb.close());

  const source = (o: Record<string, unknown>) =>
    sageAccountingSource({ baseUrl: sb.apiBaseUrl, accessToken: token, ...o }, emptyConfig());

  it("hard_delete removes deleted rows instead of keeping them with deleted_at", async () => {
    const b = sb.store.businesses[0]!.id;
    const p = duckPipeline(dir, { pipelineName: "hard" });
    await p.run(source({ resources: ["sales_invoices"], businesses: [b], hardDelete: true }));
    const before = await p.dataset().table("sales_invoices").count();
    const change = sb.mutate({ business: b, resource: "sales_invoices", deletes: 2 });
    expect(change.deleted).toHaveLength(2);
    await p.run(source({ resources: ["sales_invoices"], businesses: [b], hardDelete: true }));
    expect(await p.dataset().table("sales_invoices").count()).toBe(before - 2);
    const ids = (await p.dataset().sql("select id from sales_invoices").rows()).map((r) => r.id);
    for (const id of change.deleted) expect(ids).not.toContain(id);
    // their lines went with them
    const orphans = await p
      .dataset()
      .sql(
        "select count(*) as n from sales_invoices__invoice_lines l where not exists (select 1 from sales_invoices i where i._dlt_id = l._dlt_root_id)",
      )
      .rows();
    expect(orphans[0]!.n).toBe(0);
  });

  it("businesses narrows the run; an unknown id fails before anything loads, listing the known ones", async () => {
    const [b0, b1] = sb.store.businesses;
    const p = duckPipeline(dir, { pipelineName: "narrow" });
    await p.run(source({ resources: ["tax_rates"], businesses: [b1!.id] }));
    const seen = await p.dataset().sql("select distinct business_id from tax_rates").rows();
    expect(seen).toEqual([{ business_id: b1!.id }]);
    const err = await p.run(source({ resources: ["tax_rates"], businesses: ["nope"] })).catch((e: unknown) => e);
    expect(String(err)).toContain("unknown Sage business id(s): nope");
    expect((err as { hint?: string }).hint).toContain(b0!.id);
  });

  it("initial_updated_since limits the first run to rows changed since then", async () => {
    const b = sb.store.businesses[0]!.id;
    const all = sb.store.records(b, "sales_invoices") as Array<{ updated_at: string }>;
    const cut = [...all.map((r) => r.updated_at)].sort()[Math.floor(all.length / 2)]!;
    const p = duckPipeline(dir, { pipelineName: "since" });
    await p.run(source({ resources: ["sales_invoices"], businesses: [b], initialUpdatedSince: cut }));
    expect(await p.dataset().table("sales_invoices").count()).toBe(all.filter((r) => r.updated_at >= cut).length);
  });

  it("bad options fail as configuration errors that name the fix", () => {
    expect(() => source({ resources: ["sales_invoice"] })).toThrow(ConfigError);
    expect(() => source({ resources: ["sales_invoice"] })).toThrow(/Unknown Sage endpoint/);
    expect(() => source({ itemsPerPage: 500 })).toThrow(/items_per_page must be an integer from 1 to 200/);
    expect(() => sageAccountingSource({ baseUrl: sb.apiBaseUrl, tokenStore: `${dir}/none.json` }, emptyConfig())).toThrow(
      /no Sage credentials/,
    );
  });
});
