// The public API of sage-accounting-pipeline. Names are part of the contract.
export {
  pipeline,
  Pipeline,
  LoadInfo,
  ExtractInfo,
  NormalizeInfo,
  Dataset,
  Relation,
  RejectedItemsError,
  RunIncompleteError,
} from "./pipeline/index.js";
export type {
  PipelineOptions,
  ProgressEvent,
  PackageStep,
  DropPlan,
  SchemaDrop,
  RunData,
  RunOptions,
  LoadPackageInfo,
  JobInfo,
  PipelineState,
} from "./pipeline/index.js";
export { resource, transformer, source, incremental, Resource, Source, Incremental } from "./extract/index.js";
export type { Item, ResourceContext, ResourceHints, IncrementalOptions, SourceOptions } from "./extract/index.js";
export type { ColumnHint, DataType, SchemaContract, ContractMode, WriteDisposition } from "./schema/index.js";
export { Schema } from "./schema/index.js";
export { registerDestination, resolveDestination } from "./destinations/index.js";
export type { Destination, DestinationClient, Capabilities } from "./destinations/index.js";
export { Secret, ConfigResolver, configSpec, field, type ConfigSpec, type ResolvedConfig } from "./config/index.js";
export { PipelineError, ConfigError, DataError, PipelineStepFailed } from "./util/errors.js";
export { ExactNumber } from "./util/lossless-json.js";
export { NamingConvention } from "./normalize/index.js";
export { ModelsRunInfo, DataTestsFailedError, MODELS_SPEC } from "./models/index.js";
export type { ModelBuild, DataTestFailure, DataTestResult, PipelineModelsOptions } from "./models/index.js";

// Destinations (drivers load lazily, on first connect).
export { duckdb } from "./destinations/duckdb/index.js";
export { postgres } from "./destinations/postgres/index.js";
export { filesystem } from "./destinations/filesystem/index.js";

// The declarative REST source and its HTTP client.
export { restApiSource, restApiResources, RestClient, registerPaginator, registerAuth } from "./rest/index.js";
export type {
  RESTAPIConfig,
  ClientConfig,
  EndpointResource,
  Endpoint,
  PaginatorConfig,
  AuthConfig,
  OAuthTokens,
} from "./rest/index.js";
export {
  HttpClient,
  onRequestEvent,
  HttpError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  ServerError,
  ConnectionError,
  ResponseFormatError,
  BudgetExceededError,
} from "./http/index.js";

// The Sage sources.
export { sageAccountingSource, DEFAULT_RESOURCES, catalog as sageCatalog, TokenStore } from "./sage/index.js";
export type { SageAccountingOptions } from "./sage/index.js";
export { sageOneZaSource, SAGE_ONE_ZA_RESOURCES } from "./sageone-za/index.js";
// The simulated Sage API is its own entry point, `sage-accounting-pipeline/sandbox` (src/sandbox/index.ts).
