import type { ValuesOf } from "../../config/spec.js";
import type { AzureBucket } from "./azure-bucket.js";
import type { AzureCredentials, GcsCredentials, S3Credentials } from "./bucket.js";
import type { GcsBucket } from "./gcs-bucket.js";
import type { S3Bucket } from "./s3-bucket.js";
import type { FILESYSTEM_SPEC } from "./spec.js";

/**
 * The remote buckets a bucket_url can name, one place for the filesystem destination and for
 * warehouse staging (staging.ts): which scheme is which store, and how
 * `[destination.filesystem.credentials]` becomes each store's dlt-named credentials.
 */

/** The bucket_url schemes of Azure Blob Storage (AzureBucket reads them all). */
export const AZURE_SCHEMES: readonly string[] = ["az", "azure", "abfs", "abfss"];

export type FilesystemCredentials = S3Credentials & AzureCredentials & GcsCredentials;
export type RemoteBucket = S3Bucket | GcsBucket | AzureBucket;

/** `s3`, `gs`, `az`, ... of a URL as written; undefined for a path. */
export function schemeOf(url: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
}

/** Azure's schemes in any case (AzureBucket parses them so); s3 and gs are lower case only. */
export function isAzureScheme(scheme: string | undefined): boolean {
  return scheme !== undefined && AZURE_SCHEMES.includes(scheme.toLowerCase());
}

/** Whether `url` names a bucket openRemoteBucket opens. */
export function isRemoteBucketUrl(url: string): boolean {
  const scheme = schemeOf(url);
  return scheme === "s3" || scheme === "gs" || isAzureScheme(scheme);
}

/** The bucket at `url` (s3://, gs://, az:// or abfss://), its SDK imported only now. */
export async function openRemoteBucket(url: string, credentials: FilesystemCredentials): Promise<RemoteBucket> {
  const scheme = schemeOf(url);
  if (scheme === "gs") return (await import("./gcs-bucket.js")).GcsBucket.open(url, credentials);
  if (scheme === "s3") return (await import("./s3-bucket.js")).S3Bucket.open(url, credentials);
  if (isAzureScheme(scheme)) return (await import("./azure-bucket.js")).AzureBucket.open(url, credentials);
  throw new Error(`${url} is not an s3://, gs://, az:// or abfss:// bucket URL`);
}

/** `[destination.filesystem.credentials]` as resolved, in dlt's names. */
export function filesystemCredentials(c: ValuesOf<typeof FILESYSTEM_SPEC>["credentials"]): FilesystemCredentials | undefined {
  return (
    c && {
      aws_access_key_id: c.awsAccessKeyId,
      aws_secret_access_key: c.awsSecretAccessKey,
      aws_session_token: c.awsSessionToken,
      endpoint_url: c.endpointUrl,
      region_name: c.regionName,
      azure_storage_account_name: c.azureStorageAccountName,
      azure_storage_account_key: c.azureStorageAccountKey,
      azure_storage_sas_token: c.azureStorageSasToken,
      azure_storage_connection_string: c.azureStorageConnectionString,
      azure_account_host: c.azureAccountHost,
      project_id: c.projectId,
      private_key: c.privateKey,
      client_email: c.clientEmail,
    }
  );
}
