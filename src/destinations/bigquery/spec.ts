import { configSpec, field } from "../../config/spec.js";

/** A service account key file's JSON, given whole as `credentials` (dlt accepts it too). */
function parseServiceAccount(native: string): Record<string, unknown> {
  try {
    const j = JSON.parse(native) as Record<string, unknown>;
    return { project_id: j.project_id, private_key: j.private_key, client_email: j.client_email };
  } catch {
    // Not JSON: nothing to split; the fields stay unset and the required-key check names them.
    return {};
  }
}

/**
 * `[destination.bigquery]`: dlt's names. Credentials are a service account's `project_id`,
 * `private_key` and `client_email` (DESTINATION__BIGQUERY__CREDENTIALS__PROJECT_ID, ...), or the key
 * file's JSON as one string; without a private key the SDK's application default credentials are
 * used (gcloud auth, a metadata server).
 */
export const BIGQUERY_SPEC = configSpec({
  title: "BigQuery destination",
  section: ["destination", "bigquery"],
  fields: {
    credentials: field.credentials({
      doc: "a service account: project_id, private_key, client_email (or its key file's JSON as one string)",
      lookup: "section",
      fields: {
        projectId: field.string({ doc: "the GCP project that holds the datasets and runs the jobs" }),
        privateKey: field.secret({ doc: "the service account's private key (PEM)" }),
        clientEmail: field.string({ doc: "the service account's e-mail" }),
      },
      parse: parseServiceAccount,
    }),
    location: field.string({
      doc: "where datasets are created and jobs run (`US`, `EU`, `europe-west2`...)",
      default: "US",
      lookup: "section",
    }),
    apiEndpoint: field.string({
      doc: "another BigQuery API root, e.g. a local emulator (`http://127.0.0.1:9050`); no credentials are sent to it",
      lookup: "section",
    }),
  },
});
