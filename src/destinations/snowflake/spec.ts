import { configSpec, field } from "../../config/spec.js";

/**
 * `[destination.snowflake]`: dlt's names. Credentials are
 * `snowflake://user:password@account/database?warehouse=...&role=...` or the fields
 * (DESTINATION__SNOWFLAKE__CREDENTIALS__USERNAME, ...), with key-pair auth through `private_key`
 * (PEM, optionally encrypted with `private_key_passphrase`) instead of a password. With
 * `staging = "filesystem"` the bucket and its keys are `[destination.filesystem]`'s (bucket-access.ts).
 */
export const SNOWFLAKE_SPEC = configSpec({
  title: "Snowflake destination",
  section: ["destination", "snowflake"],
  fields: {
    credentials: field.credentials({
      doc: "`snowflake://user:password@account/database?warehouse=...&role=...`, or the fields below",
      lookup: "section",
      fields: {
        database: field.string({ doc: "the database that holds the dataset (a schema in it)" }),
        username: field.string({ doc: "the Snowflake user" }),
        password: field.secret({ doc: "its password (or use private_key)" }),
        host: field.string({ doc: "the account identifier, e.g. `myorg-myaccount` or `xy12345.eu-west-1`" }),
        warehouse: field.string({ doc: "the warehouse that runs the loads" }),
        role: field.string({ doc: "the role the session uses" }),
        privateKey: field.secret({ doc: "key-pair auth: the user's private key (PEM)" }),
        privateKeyPassphrase: field.secret({ doc: "the passphrase of an encrypted private_key" }),
        connectionString: field.secret({ doc: "the one-string form, as given", hidden: true }),
      },
      parse: (native) => ({ connection_string: native }),
    }),
    stageName: field.string({
      doc: 'a named stage to PUT load files to (e.g. `my_stage`); default: a stage `_dlt_stage` the destination creates in the dataset. With `staging = "filesystem"`: an external stage whose URL is [destination.filesystem] bucket_url, which COPY reads through (needed for gs://, where Snowflake reads only through a storage integration)',
      lookup: "section",
    }),
    keepStagedFiles: field.boolean({
      doc: "keep the load files on the stage (or in the staging bucket) after COPY (dlt's keep_staged_files); default: remove them once the load committed",
      default: false,
      lookup: "section",
    }),
  },
});
