/**
 * The Sage One South Africa source (`sageOneZaSource`): api key + HTTP Basic, `CompanyId` per
 * company, `$top`/`$skip` paging on `TotalResults`, pacing per company, incremental documents.
 */
export { sageOneZaSource, SAGE_ONE_ZA_SOURCE_NAME } from "./source.js";
export { SAGE_ONE_ZA_RESOURCES, SA_RESOURCE_SPECS, saColumnHints, type SaResourceSpec } from "./resources.js";
export {
  DEFAULT_SAGE_ONE_ZA_BASE_URL,
  SAGE_ONE_ZA_SECTIONS,
  resolveSageOneZaSettings,
  type SageOneZaOptions,
  type SageOneZaSettings,
} from "./settings.js";
export { SageOneZaClient, type ListRequest } from "./client.js";
export { SageOneZaAuth } from "./auth.js";
export { ModifiedCursor } from "./modified-cursor.js";
