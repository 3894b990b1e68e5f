import { checkOptions, type ConfigResolver } from "../config/index.js";
import { outsideResource, type Resource, resource, Source, SourceError, source } from "../extract/index.js";
import { AuthenticationError, RateLimitError } from "../http/index.js";
import { SageOneZaClient } from "./client.js";
import { listCompanies } from "./company-list.js";
import { companyRows } from "./company-rows.js";
import { mergeAsync } from "../util/merge-async.js";
import { SA_RESOURCE_SPECS, type SaResourceSpec, saColumnHints } from "./resources.js";
import { RunScopes } from "./run-scope.js";
import { resolveSageOneZaSettings, SAGE_ONE_ZA_SPEC, type SageOneZaOptions, type SageOneZaSettings } from "./settings.js";

/** The schema (and source) name: tables land in `sage_one_za`'s dataset. */
export const SAGE_ONE_ZA_SOURCE_NAME = "sage_one_za";

/**
 * Failures no company can work around: refused credentials, and a 429 (the IP is blocked for an
 * hour and every further call extends the block). They stop the whole extract; anything else
 * fails only the company it happened in.
 */
function stopsEverything(err: unknown): boolean {
  return err instanceof AuthenticationError || err instanceof RateLimitError;
}

function saResource(spec: SaResourceSpec, client: SageOneZaClient, scopes: RunScopes, settings: SageOneZaSettings): Resource {
  return resource(
    async function* (ctx) {
      const scope = scopes.of(ctx.signal);
      // Per company: the `Modified` cursor of the last committed load (documents only).
      const cursors = spec.incremental ? ((ctx.state.modified_since ??= {}) as Record<string, string>) : {};
      const oneCompany = async function* (company: number): AsyncGenerator<Record<string, unknown>[]> {
        try {
          yield* companyRows({
            spec,
            company,
            client,
            cursors,
            overlapMs: settings.overlapMs,
            signal: scope.signal,
            log: ctx.log,
            onBlocked: (e) => {
              scope.fail(e);
            },
            warned: scope.warned,
          });
        } catch (err) {
          if (stopsEverything(err) || scope.signal.aborted) {
            scope.fail(err); // the other companies stop now, not after their next page
            throw err;
          }
          // Its cursor did not move (companyRows writes it only at the end); the other companies go on.
          ctx.reportIncomplete({ partition: { company_id: company }, label: `company ${company}`, reason: err });
        }
      };
      try {
        // The company list serves every resource: its request is not charged to the first that asked.
        const ids =
          settings.companies ?? (await outsideResource(() => scope.companyIds(() => listCompanies(client, scope, ctx.log))));
        yield* mergeAsync(ids.map(oneCompany));
      } catch (err) {
        scope.fail(err);
        const cause = scope.signal.aborted && scope.signal.reason instanceof Error ? scope.signal.reason : err;
        throw SourceError.from(stopsEverything(cause) ? cause : err);
      }
    },
    { name: spec.name, primaryKey: ["company_id", "id"], writeDisposition: "merge", columns: saColumnHints(spec) },
  );
}

/**
 * Sage One / Sage Business Cloud Accounting South Africa (`accounting.sageone.co.za/api/2.0.0`):
 * the main lists of every company of the user (or of `companies`), each row keyed by
 * (company_id, id) and merged. Documents load incrementally on `Modified`; see
 * `SAGE_ONE_ZA_RESOURCES` for the lists and `SageOneZaOptions` for the settings, which default
 * to `[sources.sage_one_za_source]` and `SOURCES__SAGE_ONE_ZA_SOURCE__*` env vars, read from
 * `config`, or without it from the resolver of the pipeline that runs the source. Throws
 * ConfigError when credentials are missing.
 *
 * Deletions are not detected: the SA API has no deleted_since and no tombstones, a deleted row
 * just stops being listed, so it stays in the destination (only a full diff of ids would show it).
 */
export function sageOneZaSource(options: SageOneZaOptions = {}, config?: ConfigResolver): Source {
  if (!config) {
    const { retry: _retry, ...explicit } = options;
    checkOptions(SAGE_ONE_ZA_SPEC, explicit);
    return Source.fromConfig(SAGE_ONE_ZA_SOURCE_NAME, (c) => sageOneZaSource(options, c));
  }
  const settings = resolveSageOneZaSettings(options, config);
  // Shared by every run of this source object: one paced HttpClient per company.
  const client = new SageOneZaClient(settings, config);
  const scopes = new RunScopes();
  const src = source(
    SAGE_ONE_ZA_SOURCE_NAME,
    SA_RESOURCE_SPECS.map((spec) => saResource(spec, client, scopes, settings)),
  );
  return src.withResources(...settings.resources);
}
