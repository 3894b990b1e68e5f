import { Secret, reveal } from "../../config/secret.js";
import { ConfigError } from "../../util/errors.js";
import { AZURE_SCHEMES } from "../filesystem/remote-bucket.js";
import { snowflakeLiteral } from "./literal.js";

/**
 * How Snowflake's COPY reads the staging bucket of `staging = "filesystem"` (dlt's rules):
 * * `stage_name`: a named external stage the user made over bucket_url (with its own credentials
 *   or storage integration); COPY reads `@stage/<dataset>/_staging/<load_id>/`. Any bucket kind.
 * * s3:// without a stage: the location itself with the bucket's keys, `CREDENTIALS = (AWS_KEY_ID ...)`.
 * * Azure without a stage: `azure://<account>.blob.core.windows.net/<container>/...` with the
 *   bucket's SAS token, `CREDENTIALS = (AZURE_SAS_TOKEN ...)` (Snowflake takes no account key).
 * * gs:// only through a stage: Snowflake reads GCS through a storage integration, never with keys.
 */
export type SnowflakeBucketAccess =
  | { kind: "stage"; stageName: string }
  | { kind: "s3"; keyId: string; secretKey: Secret; sessionToken?: Secret | undefined }
  | { kind: "azure"; sasToken: Secret };

/** The `[destination.filesystem.credentials]` COPY may pass, dlt's names. */
export interface StagingKeys {
  aws_access_key_id?: string | undefined;
  aws_secret_access_key?: string | Secret | undefined;
  aws_session_token?: string | Secret | undefined;
  azure_storage_sas_token?: string | Secret | undefined;
}

function stageHint(url: string, integration: string): string {
  return `make an external stage over the bucket (CREATE STAGE my_stage URL = '${url}' ${integration}) and set [destination.snowflake] stage_name = "my_stage" (DESTINATION__SNOWFLAKE__STAGE_NAME)`;
}

/** The access for `bucketUrl`, checked when the destination is made: what is missing is a ConfigError naming the key and the fix. */
export function snowflakeBucketAccess(bucketUrl: string, keys: StagingKeys, stageName?: string): SnowflakeBucketAccess {
  if (stageName) return { kind: "stage", stageName };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(bucketUrl)?.[1]?.toLowerCase() ?? "";
  if (scheme === "s3") {
    if (!keys.aws_access_key_id || keys.aws_secret_access_key === undefined) {
      throw new ConfigError(
        `Snowflake cannot read the staging bucket ${bucketUrl}: it has no access keys and no stage_name is set`,
        {
          hint: `set aws_access_key_id and aws_secret_access_key under [destination.filesystem.credentials], or ${stageHint(bucketUrl, "STORAGE_INTEGRATION = my_s3_integration")}`,
        },
      );
    }
    return {
      kind: "s3",
      keyId: keys.aws_access_key_id,
      secretKey: Secret.from(keys.aws_secret_access_key),
      sessionToken: Secret.from(keys.aws_session_token),
    };
  }
  if (AZURE_SCHEMES.includes(scheme)) {
    if (keys.azure_storage_sas_token === undefined) {
      throw new ConfigError(
        `Snowflake cannot read the staging bucket ${bucketUrl}: COPY reads Azure with a SAS token (not an account key or connection string), and none is set, nor stage_name`,
        {
          hint: `set azure_storage_sas_token under [destination.filesystem.credentials] (read and list on the container), or ${stageHint(bucketUrl, "STORAGE_INTEGRATION = my_azure_integration")}`,
        },
      );
    }
    return { kind: "azure", sasToken: Secret.from(keys.azure_storage_sas_token) };
  }
  if (scheme === "gs") {
    throw new ConfigError(
      `Snowflake cannot read the gs:// staging bucket ${bucketUrl} without a named stage: it reads GCS only through a storage integration`,
      {
        hint: `${stageHint(bucketUrl.replace(/^gs:/i, "gcs:"), "STORAGE_INTEGRATION = my_gcs_integration")}; the integration is CREATE STORAGE INTEGRATION my_gcs_integration TYPE = EXTERNAL_STAGE STORAGE_PROVIDER = 'GCS' ENABLED = TRUE STORAGE_ALLOWED_LOCATIONS = ('${bucketUrl.replace(/^gs:/i, "gcs:")}')`,
      },
    );
  }
  throw new ConfigError(`Snowflake cannot stage through ${bucketUrl}`, {
    hint: 'set [destination.filesystem] bucket_url to s3://, gs:// or az:// (abfss://) "bucket/prefix"',
  });
}

/** What follows `FROM` in one COPY: the files' location, their names and the credentials. */
export interface CopySource {
  /** The SQL; it may hold a credential, so it never goes into a message. */
  readonly sql: string;
  /** The same with every credential as `***`, for messages. */
  readonly display: string;
  /** Remove the credentials from a text (an engine's error may quote the statement). */
  redact(text: string): string;
}

/** `https://<account>.blob.core.windows.net/...` (AzureBucket.uri) in Snowflake's form, `azure://<account>.blob.core.windows.net/...`. */
export function snowflakeAzureUrl(uri: string): string {
  return uri.replace(/^https?:\/\//i, "azure://");
}

/**
 * The source of one COPY over the staging bucket: `folderUri` is the package's folder as the
 * bucket names it (`s3://bucket/prefix/<dataset>/_staging/<load_id>`), `folder` the same relative
 * to bucket_url, `files` the names in it. `FILES = (...)` lists them, so COPY reads exactly this
 * attempt's files whatever else the folder holds. The credentials follow the location, as
 * Snowflake's grammar puts them.
 */
export function bucketCopySource(access: SnowflakeBucketAccess, folderUri: string, folder: string, files: string[]): CopySource {
  const list = `FILES = (${files.map((f) => snowflakeLiteral(f)).join(", ")})`;
  if (access.kind === "stage") {
    const sql = `@${access.stageName}/${folder}/ ${list}`;
    return { sql, display: sql, redact: (t) => t };
  }
  const secrets: string[] = [];
  const put = (s: Secret) => {
    const v = reveal(s);
    const literal = snowflakeLiteral(v);
    // Both forms: an engine's error may quote the value as given or as escaped in the statement.
    secrets.push(v, literal.slice(1, -1));
    return literal;
  };
  let location: string;
  let credentials: string;
  let shown: string;
  if (access.kind === "s3") {
    location = `${folderUri}/`;
    const token = access.sessionToken ? ` AWS_TOKEN = ${put(access.sessionToken)}` : "";
    credentials = `CREDENTIALS = (AWS_KEY_ID = ${snowflakeLiteral(access.keyId)} AWS_SECRET_KEY = ${put(access.secretKey)}${token})`;
    shown = `CREDENTIALS = (AWS_KEY_ID = ${snowflakeLiteral(access.keyId)} AWS_SECRET_KEY = '***'${token ? " AWS_TOKEN = '***'" : ""})`;
  } else {
    location = `${snowflakeAzureUrl(folderUri)}/`;
    credentials = `CREDENTIALS = (AZURE_SAS_TOKEN = ${put(Secret.from(`?${reveal(access.sasToken).replace(/^\?/, "")}`))})`;
    shown = "CREDENTIALS = (AZURE_SAS_TOKEN = '***')";
  }
  const redact = (t: string) => secrets.reduce((out, s) => out.split(s).join("***"), t);
  return {
    sql: `${snowflakeLiteral(location)} ${credentials} ${list}`,
    display: `${snowflakeLiteral(location)} ${shown} ${list}`,
    redact,
  };
}
