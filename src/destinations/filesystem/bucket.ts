/**
 * The storage under a filesystem destination: a local folder, an S3-compatible bucket or a GCS bucket.
 * Keys are `/`-separated and relative to the bucket URL (its prefix included). Every write is
 * atomic for readers: an object appears whole under its final key or not at all.
 */
export interface Bucket {
  /** The bucket URL without credentials, for LoadInfo and messages. */
  readonly display: string;
  /** Every key under `prefix` (recursively), in no particular order. */
  list(prefix: string): Promise<string[]>;
  readText(key: string): Promise<string>;
  writeText(key: string, text: string): Promise<void>;
  /** Store the local file `path` under `key`; the local file may be moved away. */
  upload(key: string, path: string): Promise<void>;
  /** A local path with the object's bytes: the file itself, or a download into `scratchDir`. */
  localPath(key: string, scratchDir: string): Promise<string>;
  delete(keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/** `[destination.filesystem.credentials]` for S3-compatible stores (dlt's names). */
export interface S3Credentials {
  aws_access_key_id?: string;
  aws_secret_access_key?: string | import("../../config/secret.js").Secret;
  aws_session_token?: string | import("../../config/secret.js").Secret;
  /** A custom endpoint (MinIO, R2, a local test server): path-style addressing is used. */
  endpoint_url?: string;
  region_name?: string;
}

/** `[destination.filesystem.credentials]` for Azure Blob Storage (dlt's names). */
export interface AzureCredentials {
  azure_storage_account_name?: string;
  azure_storage_account_key?: string | import("../../config/secret.js").Secret;
  azure_storage_sas_token?: string | import("../../config/secret.js").Secret;
  /** `DefaultEndpointsProtocol=...;AccountName=...;AccountKey=...;BlobEndpoint=...`: account, key and endpoint in one. */
  azure_storage_connection_string?: string | import("../../config/secret.js").Secret;
  /** Another blob host (`account.blob.core.windows.net`), or a full URL for an emulator (`http://127.0.0.1:10000/devstoreaccount1`). */
  azure_account_host?: string;
}

/** `[destination.filesystem.credentials]` for gs:// (dlt's GCP service account names). */
export interface GcsCredentials {
  project_id?: string | undefined;
  private_key?: string | import("../../config/secret.js").Secret | undefined;
  client_email?: string | undefined;
  /** Another API root (a local emulator such as gcp-storage-emulator); no credentials are sent to it. */
  endpoint_url?: string | undefined;
}
