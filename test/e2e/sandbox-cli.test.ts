import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN } from "./cli-helpers.js";

describe("sage-pipeline sandbox", () => {
  it("serves the simulated API until it is stopped, and tells how to point the pipeline at it", async () => {
    const child = spawn(
      process.execPath,
      [BIN, "sandbox", "--port", "0", "--businesses", "3", "--scale", "0.05", "--seed", "9"],
      {
        env: { PATH: process.env.PATH ?? "" },
      },
    );
    let stderr = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m && stderr.includes("Ctrl-C")) resolve(m[1]!);
      });
      child.on("exit", () => {
        reject(new Error(stderr));
      });
    });
    expect(stderr).toContain(`SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL=${url}/v3.1`);
    const info = (await (await fetch(`${url}/__sandbox/info`)).json()) as { businesses: unknown[] };
    expect(info.businesses).toHaveLength(3);
    const tokens = (await (await fetch(`${url}/__sandbox/tokens`, { method: "POST", body: "{}" })).json()) as {
      access_token: string;
    };
    const list = await fetch(`${url}/v3.1/contacts?items_per_page=5`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { $items: unknown[] }).$items).toHaveLength(5);
    const code = await new Promise<number | null>((resolve) => {
      child.on("close", resolve);
      child.kill("SIGTERM");
    });
    expect(code).toBe(0);
    expect(stderr).not.toContain(tokens.access_token);
  });
});
