import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import { Secret, reveal } from "../../config/secret.js";
import { ConfigError, PipelineError } from "../../util/errors.js";
import { importOptional } from "../optional-import.js";
import type { AzureCredentials, Bucket } from "./bucket.js";

type BlobModule = typeof import("@azure/storage-blob");

const UPLOAD_BLOCK_BYTES = 4 << 20;

const URL_HINT =
  "write bucket_url as az://container/prefix (the account from azure_storage_account_name) or abfss://container@account.dfs.core.windows.net/prefix";
const CREDENTIALS_HINT =
  "set azure_storage_account_name with azure_storage_account_key or azure_storage_sas_token, or azure_storage_connection_string, under [destination.filesystem.credentials]";

/** `az://container/prefix`, `azure://...`, `abfss://container@account.dfs.core.windows.net/prefix` (also `abfs://`). */
export function parseAzureUrl(url: string): { container: string; account?: string; host?: string; prefix: string } {
  const abfs = /^abfss?:\/\/([^@/]+)@([^/.]+)\.(?:dfs|blob)\.([^/]+)\/?(.*)$/.exec(url);
  if (abfs) {
    return { container: abfs[1]!, account: abfs[2]!, host: `${abfs[2]!}.blob.${abfs[3]!}`, prefix: abfs[4]!.replace(/\/+$/, "") };
  }
  const az = /^(?:az|azure):\/\/([^/@]+)\/?(.*)$/.exec(url);
  if (az) return { container: az[1]!, prefix: az[2]!.replace(/\/+$/, "") };
  throw new ConfigError(`bucket_url ${url} is not an Azure Blob Storage URL`, { hint: URL_HINT });
}

/** The service endpoint: a full URL as given (the emulator: `http://127.0.0.1:10000/devstoreaccount1`), or https://host. */
function endpointOf(host: string): string {
  return /^https?:\/\//.test(host) ? host.replace(/\/+$/, "") : `https://${host}`;
}

/**
 * A container (and key prefix) in Azure Blob Storage, through the official `@azure/storage-blob`
 * (an optional peer dependency, imported when an az:// or abfss:// destination connects). Block
 * blobs appear whole: a single-shot upload, or staged blocks made visible by one commit of the
 * block list, so readers never see a partial file. Works on ADLS Gen2 accounts through their blob
 * endpoint (the dfs host of an abfss:// URL is swapped for the blob host).
 */
export class AzureBucket implements Bucket {
  readonly display: string;

  private constructor(
    private readonly container: ContainerClient,
    private readonly prefix: string,
    display: string,
  ) {
    this.display = display;
  }

  /**
   * `https://<account>.blob.core.windows.net/<container>/<prefix>/<key>`: the blob's own address,
   * which names the account (az:// does not); a warehouse writes it in its form (Snowflake: azure://).
   * Without the client's query, so a SAS token never travels in it.
   */
  uri(key: string): string {
    const u = new URL(this.container.url);
    return `${u.origin}${u.pathname.replace(/\/+$/, "")}/${this.key(key)}`;
  }

  static async open(url: string, creds: AzureCredentials): Promise<AzureBucket> {
    const parsed = parseAzureUrl(url);
    const blob = await importOptional<BlobModule>("@azure/storage-blob", `bucket_url ${url.split("/").slice(0, 3).join("/")}`);
    const m = (blob as unknown as { default?: BlobModule }).default ?? blob;
    const service = AzureBucket.service(m, parsed, creds);
    const display = url.replace(/\/+$/, "");
    return new AzureBucket(service.getContainerClient(parsed.container), parsed.prefix, display);
  }

  private static service(m: BlobModule, parsed: ReturnType<typeof parseAzureUrl>, c: AzureCredentials): BlobServiceClient {
    if (c.azure_storage_connection_string !== undefined) {
      // Secret.from registers the value for scrubbing; the SDK parses account, key and endpoint.
      return m.BlobServiceClient.fromConnectionString(reveal(Secret.from(c.azure_storage_connection_string)));
    }
    const account = parsed.account ?? c.azure_storage_account_name;
    if (!account) throw new ConfigError("the Azure bucket names no storage account", { hint: CREDENTIALS_HINT });
    if (parsed.account && c.azure_storage_account_name && parsed.account !== c.azure_storage_account_name) {
      throw new ConfigError(
        `bucket_url names account ${parsed.account}, azure_storage_account_name is ${c.azure_storage_account_name}`,
        { hint: "make them agree, or leave azure_storage_account_name unset" },
      );
    }
    const endpoint = endpointOf(c.azure_account_host ?? parsed.host ?? `${account}.blob.core.windows.net`);
    if (c.azure_storage_account_key !== undefined) {
      const key = reveal(Secret.from(c.azure_storage_account_key));
      return new m.BlobServiceClient(endpoint, new m.StorageSharedKeyCredential(account, key));
    }
    if (c.azure_storage_sas_token !== undefined) {
      const sas = reveal(Secret.from(c.azure_storage_sas_token)).replace(/^\?/, "");
      return new m.BlobServiceClient(`${endpoint}?${sas}`);
    }
    throw new ConfigError(`the Azure bucket of account ${account} has no credentials`, { hint: CREDENTIALS_HINT });
  }

  private key(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  private fail(what: string, key: string, err: unknown): PipelineError {
    // The SDK's RestError carries the request; its message is the service's error code and text.
    const e = err as { name?: string; message?: string; code?: string } | null;
    const detail = e?.message ? `${e.code ?? e.name ?? "Error"}: ${e.message.split("\n")[0]!}` : String(err);
    return new PipelineError(`${what} ${this.display}/${key} failed: ${detail}`, {
      cause: err,
      hint: "check bucket_url, the container, azure_account_host and [destination.filesystem.credentials]",
    });
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    try {
      for await (const b of this.container.listBlobsFlat({ prefix: this.key(prefix) })) {
        out.push(this.prefix ? b.name.slice(this.prefix.length + 1) : b.name);
      }
    } catch (err) {
      throw this.fail("listing", prefix, err);
    }
    return out;
  }

  async readText(key: string): Promise<string> {
    try {
      return (await this.container.getBlobClient(this.key(key)).downloadToBuffer()).toString("utf8");
    } catch (err) {
      throw this.fail("reading", key, err);
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    try {
      await this.container.getBlockBlobClient(this.key(key)).upload(text, Buffer.byteLength(text));
    } catch (err) {
      throw this.fail("writing", key, err);
    }
  }

  async upload(key: string, path: string): Promise<void> {
    try {
      // Over 4 MB: blocks of 4 MB, 4 at a time, made visible together by one commit of the list.
      await this.container
        .getBlockBlobClient(this.key(key))
        .uploadFile(path, { blockSize: UPLOAD_BLOCK_BYTES, maxSingleShotSize: UPLOAD_BLOCK_BYTES, concurrency: 4 });
    } catch (err) {
      throw this.fail("uploading", key, err);
    }
  }

  async localPath(key: string, scratchDir: string): Promise<string> {
    const local = join(scratchDir, "az", ...key.split("/"));
    mkdirSync(dirname(local), { recursive: true });
    try {
      await this.container.getBlobClient(this.key(key)).downloadToFile(local);
    } catch (err) {
      throw this.fail("downloading", key, err);
    }
    return local;
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 16) {
      const batch = keys.slice(i, i + 16);
      try {
        await Promise.all(batch.map((k) => this.container.getBlobClient(this.key(k)).deleteIfExists()));
      } catch (err) {
        throw this.fail("deleting", batch[0] ?? "", err);
      }
    }
  }

  close(): Promise<void> {
    // The SDK's HTTP client keeps no sockets that need closing.
    return Promise.resolve();
  }
}
