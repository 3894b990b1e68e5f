export {
  Resource,
  resource,
  transformer,
  type IncompletePart,
  type Item,
  type KeySetReport,
  type Partition,
  type ResourceContext,
  type ResourceFn,
  type ResourceHints,
  type ResourceOutput,
  type SkippedPart,
  type TableNameHint,
  type TransformerFn,
} from "./resource.js";
export { currentRequestScope, inRunScope, outsideResource, type RequestScope } from "./request-scope.js";
export { Source, source, type SourceOptions } from "./source.js";
export { carryPageUrl, pageUrlOf, tagPageUrl } from "./page-url.js";
export { tagPlainJson } from "./plain-page.js";
export {
  extractSource,
  ResourceError,
  SourceError,
  type ExtractOptions,
  type ExtractProgress,
  type ResourceState,
  type SourceState,
} from "./extractor.js";
export {
  Incremental,
  IncrementalCursor,
  incremental,
  compareCursor,
  type IncrementalOptions,
  type IncrementalState,
  type LastValueFunc,
} from "./incremental.js";
