import { Secret, reveal } from "../../config/secret.js";
import { ConfigError } from "../../util/errors.js";
import { dbxLiteral, dbxQuote } from "./dialect.js";

/** How COPY INTO may read the staging bucket, besides an external location that grants it. */
export interface BucketAccess {
  /** A Unity Catalog storage credential's name (dlt's `staging_credentials_name`); wins over keys. */
  credentialsName?: string | undefined;
  /** An s3:// bucket's keys, passed in the COPY INTO statement when no credential name is set. */
  s3Keys?: { accessKeyId: string; secretAccessKey: string | Secret; sessionToken?: string | Secret | undefined } | undefined;
  /** An Azure bucket's SAS token (read and list), passed in the COPY INTO statement when no credential name is set. */
  azureSasToken?: string | Secret | undefined;
}

/**
 * ` WITH (CREDENTIAL ...)` for COPY INTO from the bucket, or empty (an external location grants
 * access). Secrets stay Secrets until here; every text put into the statement is registered, so
 * errors that quote the statement are scrubbed.
 */
export function credentialClause(s: BucketAccess): string {
  if (s.credentialsName) return ` WITH (CREDENTIAL ${dbxQuote(s.credentialsName)})`;
  if (s.azureSasToken !== undefined) {
    const sas = reveal(Secret.from(reveal(Secret.from(s.azureSasToken)).replace(/^\?/, "")));
    return ` WITH (CREDENTIAL (AZURE_SAS_TOKEN = ${dbxLiteral(sas)}))`;
  }
  const k = s.s3Keys;
  if (!k) return "";
  const secret = reveal(Secret.from(k.secretAccessKey));
  const token = k.sessionToken === undefined ? undefined : reveal(Secret.from(k.sessionToken));
  const parts = [`AWS_ACCESS_KEY = ${dbxLiteral(k.accessKeyId)}`, `AWS_SECRET_KEY = ${dbxLiteral(secret)}`];
  if (token) parts.push(`AWS_SESSION_TOKEN = ${dbxLiteral(token)}`);
  return ` WITH (CREDENTIAL (${parts.join(", ")}))`;
}

/** `https://<account>.blob.<suffix>/<container>/<path>`: the URI the Azure staging bucket gives a file. */
const AZURE_BLOB = /^https?:\/\/([a-z0-9]+)\.blob\.([^/]+)\/([^/]+)\/(.+)$/i;

/**
 * A staged file's URI as Databricks' COPY INTO reads it. s3:// and gs:// URIs are read as they are;
 * Azure is read through ADLS Gen2's `abfss://<container>@<account>.dfs.<suffix>/<path>` (the same
 * storage, its DFS endpoint), so the blob URI the bucket gives is rewritten to that.
 */
export function databricksReadUri(uri: string): string {
  if (!/^https?:\/\//i.test(uri)) return uri;
  const m = AZURE_BLOB.exec(uri);
  if (!m) {
    throw new ConfigError(
      `Databricks reads Azure staging files through abfss://<container>@<account>.dfs.core.windows.net, and the staging bucket's endpoint ${new URL(uri).origin} has no such name`,
      {
        hint: "point [destination.filesystem] bucket_url at the storage account itself (az://<container>/<path> with azure_storage_account_name), not at an emulator or a custom endpoint",
      },
    );
  }
  const [, account, suffix, container, path] = m;
  return `abfss://${container!}@${account!}.dfs.${suffix!}/${path!}`;
}
