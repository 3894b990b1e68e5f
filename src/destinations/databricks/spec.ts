import { configSpec, field } from "../../config/spec.js";

/**
 * `[destination.databricks]`: dlt's names. Credentials are a SQL warehouse's (or cluster's)
 * `server_hostname`, `http_path` and a personal `access_token`
 * (DESTINATION__DATABRICKS__CREDENTIALS__SERVER_HOSTNAME, ...), plus the Unity Catalog `catalog`
 * the datasets (schemas) live in.
 */
export const DATABRICKS_SPEC = configSpec({
  title: "Databricks destination",
  section: ["destination", "databricks"],
  fields: {
    credentials: field.credentials({
      doc: "a SQL warehouse or cluster: server_hostname, http_path, access_token (and catalog)",
      lookup: "section",
      fields: {
        serverHostname: field.string({ doc: "the workspace host, e.g. `dbc-1234abcd-5678.cloud.databricks.com`" }),
        httpPath: field.string({ doc: "the warehouse's HTTP path, e.g. `/sql/1.0/warehouses/abc123`" }),
        accessToken: field.secret({ doc: "a personal access token (or a service principal's)" }),
        catalog: field.string({
          doc: "the Unity Catalog catalog that holds the datasets",
          defaultDoc: "the workspace's default",
        }),
        port: field.integer({ doc: "HTTPS port", defaultDoc: "443", min: 1, max: 65535 }),
      },
    }),
    stagingVolumeName: field.string({
      doc: "`catalog.schema.volume` the load files are PUT to before COPY INTO; default: `_dlt_staging_load_volume` in the dataset's schema, created when missing",
      lookup: "section",
    }),
    stagingCredentialsName: field.string({
      doc: 'a Unity Catalog storage credential COPY INTO reads the staging bucket with (`staging = "filesystem"`); without it the bucket\'s keys (s3) or an external location are used',
      lookup: "section",
    }),
  },
});
