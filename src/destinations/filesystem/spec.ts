import { configSpec, field } from "../../config/spec.js";

/** `[destination.filesystem]`. Format and compression are checked where the destination is made. */
export const FILESYSTEM_SPEC = configSpec({
  title: "filesystem destination",
  section: ["destination", "filesystem"],
  fields: {
    bucketUrl: field.string({
      doc: "a local folder, `file:///abs/path`, `s3://bucket/prefix`, `gs://bucket/prefix`, `az://container/prefix` or `abfss://container@account.dfs.core.windows.net/prefix`",
      lookup: "section",
    }),
    format: field.string({ doc: "data file format: jsonl or parquet", defaultDoc: "jsonl", lookup: "section" }),
    compression: field.string({ doc: "gzip compresses jsonl files; none", defaultDoc: "none", lookup: "section" }),
    credentials: field.credentials({
      doc: "for s3://: keys, region and a custom endpoint (S3-compatible stores); for gs://: a service account (project_id, private_key, client_email) and a custom endpoint; for az:// and abfss://: account and key, SAS token or connection string",
      lookup: "section",
      fields: {
        awsAccessKeyId: field.string({ doc: "access key id" }),
        awsSecretAccessKey: field.secret({ doc: "secret access key" }),
        awsSessionToken: field.secret({ doc: "session token (temporary credentials)" }),
        endpointUrl: field.string({
          doc: "custom endpoint (MinIO, R2, a local test server: path-style addressing; gs://: an emulator's API root)",
        }),
        regionName: field.string({ doc: "region" }),
        azureStorageAccountName: field.string({ doc: "az:// and abfss://: the storage account" }),
        azureStorageAccountKey: field.secret({ doc: "its account key" }),
        azureStorageSasToken: field.secret({ doc: "or a SAS token" }),
        azureStorageConnectionString: field.secret({ doc: "or a connection string (account, key and endpoint)" }),
        azureAccountHost: field.string({ doc: "another blob host, or a full URL for an emulator (Azurite)" }),
        projectId: field.string({ doc: "gs://: the GCP project" }),
        privateKey: field.secret({ doc: "gs://: the service account's private key (PEM)" }),
        clientEmail: field.string({ doc: "gs://: the service account's e-mail" }),
      },
    }),
  },
});
