import { configSpec, field } from "../../config/spec.js";

/** `[destination.postgres]`: dlt's credentials, as one connection string or as fields. */
export const POSTGRES_SPEC = configSpec({
  title: "Postgres destination",
  section: ["destination", "postgres"],
  fields: {
    credentials: field.credentials({
      doc: "`postgresql://user:password@host:5432/database`, `pglite://<dir>` / `pglite://memory`, or the fields below",
      lookup: "section",
      fields: {
        host: field.string({ doc: "server host", defaultDoc: "localhost" }),
        port: field.integer({ doc: "server port", defaultDoc: "5432", min: 1, max: 65535 }),
        username: field.string({ doc: "login role" }),
        password: field.secret({ doc: "its password" }),
        database: field.string({ doc: "database name" }),
        sslmode: field.string({ doc: "disable | prefer | require | verify-ca | verify-full" }),
        // The one-string form, kept whole: the driver parses it (sslmode and other options included).
        connectionString: field.secret({ doc: "the one-string form, as given", hidden: true }),
      },
      parse: (native) => ({ connection_string: native }),
    }),
  },
});
