import type { Command } from "commander";
import { ConfigError } from "../../util/errors.js";

function num(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new ConfigError(`--${name} must be a number, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** `sage-pipeline sandbox`: the simulated Sage API as a long-running local server. */
export function registerSandbox(program: Command): void {
  program
    .command("sandbox")
    .description("run the simulated Sage Accounting API (v3.1 + OAuth + Sage One ZA) on 127.0.0.1")
    .option("--port <n>", "port (0: any free port)", num("port"), 8787)
    .option("--businesses <n>", "number of businesses", num("businesses"), 2)
    .option("--scale <x>", "data size (1 ≈ 5,000 sales invoices per business)", num("scale"), 1)
    .option("--latency-ms <n>", "delay before each answer", num("latency-ms"), 0)
    .option("--seed <n>", "data seed (same seed, same data)", num("seed"), 42)
    .option("--fault-rate <x>", "share of requests answered with 429/503/dropped connections", num("fault-rate"), 0)
    .option("--token-ttl <s>", "access token lifetime in seconds", num("token-ttl"), 300)
    .action(
      async (o: {
        port: number;
        businesses: number;
        scale: number;
        latencyMs: number;
        seed: number;
        faultRate: number;
        tokenTtl: number;
      }) => {
        // Imported here, not at the top: only `demo` and `sandbox` load the sandbox's 5k lines.
        const { startSandbox } = await import("../../sandbox/index.js");
        const sb = await startSandbox({
          port: o.port,
          businesses: o.businesses,
          scale: o.scale,
          latencyMs: o.latencyMs,
          seed: o.seed,
          faultRate: o.faultRate,
          accessTokenTtlSeconds: o.tokenTtl,
          logRequests: true,
        });
        const info = sb.info();
        process.stderr.write(
          [
            `Sage sandbox listening on ${sb.url}`,
            `  API base URL:   ${info.apiBaseUrl}`,
            `  token URL:      ${info.tokenUrl}`,
            `  authorize URL:  ${info.authorizeUrl}`,
            `  Sage One ZA:    ${info.saBaseUrl}`,
            `  client id:      ${info.clientId} (the client secret is in the sandbox options; see src/sandbox/options.ts)`,
            `  businesses:     ${info.businesses.map((b) => `${b.name} (${b.id})`).join(", ")}`,
            "",
            "Point the pipeline at it, e.g.:",
            `  export SOURCES__SAGE_ACCOUNTING_SOURCE__BASE_URL=${info.apiBaseUrl}`,
            `  export SOURCES__SAGE_ACCOUNTING_SOURCE__TOKEN_URL=${info.tokenUrl}`,
            `  sage-pipeline auth login --authorize-url '${info.authorizeUrl}?filter=apiv3.1'`,
            `Admin: POST ${sb.url}/__sandbox/mutate, GET ${sb.url}/__sandbox/stats. Ctrl-C stops.`,
            "",
          ].join("\n"),
        );
        await new Promise<void>((resolve) => {
          const stop = () => {
            resolve();
          };
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
        await sb.close();
      },
    );
}
