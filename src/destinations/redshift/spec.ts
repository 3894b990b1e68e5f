import { configSpec, field } from "../../config/spec.js";

/** `[destination.redshift]`: dlt's names (credentials as a Postgres-style DSN or fields, staging_iam_role). */
export const REDSHIFT_SPEC = configSpec({
  title: "Redshift destination",
  section: ["destination", "redshift"],
  fields: {
    credentials: field.credentials({
      doc: "`redshift://user:password@cluster.region.redshift.amazonaws.com:5439/database` (or `postgresql://`), or the fields below",
      lookup: "section",
      fields: {
        host: field.string({ doc: "cluster endpoint" }),
        port: field.integer({ doc: "server port", defaultDoc: "5439", min: 1, max: 65535 }),
        username: field.string({ doc: "database user" }),
        password: field.secret({ doc: "its password" }),
        database: field.string({ doc: "database name" }),
        sslmode: field.string({ doc: "disable | prefer | require | verify-ca | verify-full" }),
        connectionString: field.secret({ doc: "the one-string form, as given", hidden: true }),
      },
      parse: (native) => ({ connection_string: native }),
    }),
    staging: field.choice(["filesystem"], {
      doc: "`filesystem`: load files go to [destination.filesystem] bucket_url (an s3:// bucket) and Redshift COPYs them from there; unset: multi-row INSERTs",
      lookup: "section",
    }),
    stagingIamRole: field.string({
      doc: "IAM role ARN Redshift assumes to read the staging bucket; without it COPY passes the bucket's access keys",
      lookup: "section",
    }),
  },
});
