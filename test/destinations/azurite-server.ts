import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import type { AzureCredentials } from "../../src/destinations/filesystem/index.js";

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

/**
 * Azurite's blob service (the npm devDependency, pinned to a release that runs on Node 20) as a
 * child process on a free 127.0.0.1 port with a temp folder, and one container; never the internet.
 * `--skipApiVersionCheck`: the SDK may speak a newer service version than the emulator knows;
 * `--disableTelemetry`: Azurite would otherwise report to Application Insights.
 */
export async function startAzurite(
  container = "test-container",
): Promise<{ container: string; endpoint: string; credentials: AzureCredentials; stop(): Promise<void> }> {
  const location = mkdtempSync(join(tmpdir(), "azurite-"));
  const main = join(dirname(createRequire(import.meta.url).resolve("azurite/package.json")), "dist", "src", "blob", "main.js");
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      main,
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      String(port),
      "--location",
      location,
      "--silent",
      "--skipApiVersionCheck",
      "--loose",
      "--disableTelemetry",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`azurite did not start: ${out}`));
    }, 30_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (/successfully listen/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited with ${code}: ${out}`));
    });
  });
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const credentials: AzureCredentials = {
    azure_storage_account_name: AZURITE_ACCOUNT,
    azure_storage_account_key: AZURITE_KEY,
    azure_account_host: endpoint,
  };
  const connection = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`;
  await BlobServiceClient.fromConnectionString(connection).getContainerClient(container).createIfNotExists();
  return {
    container,
    endpoint,
    credentials,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      rmSync(location, { recursive: true, force: true });
    },
  };
}
