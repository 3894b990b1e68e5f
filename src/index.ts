// The public API of sage-accounting-pipeline. Names are part of the contract.
export { pipeline, Pipeline, LoadInfo, ExtractInfo, NormalizeInfo, Dataset, Relation } from "./pipeline/index.js";
export type { PipelineOptions, ProgressEvent, RunData, RunOptions, LoadPackageInfo, JobInfo, PipelineState } from "./pipeline/index.js";
export { resource, transformer, source, incremental, Resource, Source, Incremental } from "./extract/index.js";
export type { Item, ResourceContext, ResourceHints, IncrementalOptions, SourceOptions } from "./extract/index.js";
export type { ColumnHint, DataType, SchemaContract, ContractMode, WriteDisposition } from "./schema/index.js";
export { Schema } from "./schema/index.js";
export { registerDestination, resolveDestination } from "./destinations/index.js";
export type { Destination, DestinationClient, Capabilities } from "./destinations/index.js";
export { Secret, ConfigResolver } from "./config/index.js";
export { PipelineError, ConfigError, DataError, PipelineStepFailed } from "./util/errors.js";
export { NamingConvention } from "./normalize/index.js";
