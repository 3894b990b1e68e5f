import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  StorageSharedKeyCredential,
  generateAccountSASQueryParameters,
} from "@azure/storage-blob";
import { afterAll, describe, expect, it } from "vitest";
import { AzureBucket, parseAzureUrl } from "../../src/destinations/filesystem/azure-bucket.js";
import { filesystem } from "../../src/destinations/filesystem/index.js";
import { EnvProvider } from "../../src/config/providers.js";
import { ConfigResolver } from "../../src/config/resolver.js";
import { resource } from "../../src/extract/resource.js";
import { pipeline } from "../../src/pipeline/pipeline.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from "./azurite-server.js";

const az = await startAzurite();
const dir = mkdtempSync(join(tmpdir(), "azure-bucket-"));
afterAll(async () => {
  await az.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("Azure bucket (Azurite on 127.0.0.1)", () => {
  it("reads dlt's URL forms: az://, azure://, abfss:// with the account and the dfs host swapped for blob", () => {
    expect(parseAzureUrl("az://c/a/b/")).toEqual({ container: "c", prefix: "a/b" });
    expect(parseAzureUrl("azure://c")).toEqual({ container: "c", prefix: "" });
    expect(parseAzureUrl("abfss://c@acct.dfs.core.windows.net/p")).toEqual({
      container: "c",
      account: "acct",
      host: "acct.blob.core.windows.net",
      prefix: "p",
    });
    expect(() => parseAzureUrl("az:///nothing")).toThrow(/not an Azure Blob Storage URL/);
    expect(() => filesystem({ bucketUrl: "hdfs://b/p" })).toThrow(
      /only local folders, file:\/\/, s3:\/\/, gs:\/\/, az:\/\/ and abfss:\/\//,
    );
    expect(filesystem({ bucketUrl: "az://c/p/" }).location()).toBe("az://c/p");
  });

  it("uploads a file larger than one block (staged blocks, one commit), lists it under its prefix, downloads and deletes it (account key)", async () => {
    const b = await AzureBucket.open(`az://${az.container}/some/prefix/`, az.credentials);
    expect(b.display).toBe(`az://${az.container}/some/prefix`);
    const f = join(dir, "big.bin");
    writeFileSync(f, Buffer.alloc(12 << 20, 7));
    await b.upload("ds/t/1.5.abc.parquet", f);
    await b.writeText("ds/_dlt_loads/s__1.5.jsonl", '{"load_id":"1.5"}\n');
    expect((await b.list("ds/")).sort()).toEqual(["ds/_dlt_loads/s__1.5.jsonl", "ds/t/1.5.abc.parquet"]);
    expect(await b.list("other/")).toEqual([]);
    expect(statSync(await b.localPath("ds/t/1.5.abc.parquet", dir)).size).toBe(12 << 20);
    expect(await b.readText("ds/_dlt_loads/s__1.5.jsonl")).toBe('{"load_id":"1.5"}\n');
    await b.delete(["ds/t/1.5.abc.parquet", "ds/never-there"]);
    expect(await b.list("ds/")).toEqual(["ds/_dlt_loads/s__1.5.jsonl"]);
    await b.close();
  });

  it("takes a SAS token or a connection string instead of the key", async () => {
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3600_000),
        permissions: AccountSASPermissions.parse("rwdlc"),
        resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
        services: AccountSASServices.parse("b").toString(),
      },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    ).toString();
    const viaSas = await AzureBucket.open(`az://${az.container}/sas`, {
      azure_storage_account_name: AZURITE_ACCOUNT,
      azure_storage_sas_token: `?${sas}`,
      azure_account_host: az.endpoint,
    });
    await viaSas.writeText("x.txt", "via sas");
    const viaConnection = await AzureBucket.open(`az://${az.container}/sas`, {
      azure_storage_connection_string: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${az.endpoint};`,
    });
    expect(await viaConnection.readText("x.txt")).toBe("via sas");
  });

  it("names the container and key, never the account key, when a request fails; says which credentials are missing", async () => {
    const wrong = "d3Jvbmcta2V5LWNhbmFyeS12YWx1ZQ==";
    const b = await AzureBucket.open(`az://${az.container}/p`, { ...az.credentials, azure_storage_account_key: wrong });
    const err = (await b.readText("ds/x.jsonl").catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`az://${az.container}/p/ds/x.jsonl`);
    expect(err.message).not.toContain(wrong);
    await expect(AzureBucket.open("az://c/p", {})).rejects.toThrow(/names no storage account/);
    await expect(AzureBucket.open("az://c/p", { azure_storage_account_name: "a" })).rejects.toThrow(/has no credentials/);
  });

  it('loads through destination: "filesystem" with dlt\'s azure_* keys from the environment', async () => {
    const env = {
      DESTINATION__FILESYSTEM__BUCKET_URL: `az://${az.container}/env`,
      DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_ACCOUNT_NAME: AZURITE_ACCOUNT,
      DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_STORAGE_ACCOUNT_KEY: AZURITE_KEY,
      DESTINATION__FILESYSTEM__CREDENTIALS__AZURE_ACCOUNT_HOST: az.endpoint,
    };
    const p = pipeline({
      pipelineName: "az_env",
      destination: "filesystem",
      datasetName: "az_env",
      pipelinesDir: join(dir, "pipelines"),
      config: new ConfigResolver([new EnvProvider(env)]),
    });
    const info = await p.run(
      resource(
        function* () {
          yield [{ id: 1 }, { id: 2 }];
        },
        { name: "t" },
      ),
    );
    expect(String(info)).toContain(`az://${az.container}/env`);
    expect(await p.dataset().table("t").count()).toBe(2);
  });
});
