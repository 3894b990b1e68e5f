export { Secret, reveal } from "./secret.js";
export { ConfigResolver, parseList, type Found, type Lookup } from "./resolver.js";
export {
  EnvProvider,
  TomlProvider,
  dataDir,
  defaultProviders,
  envName,
  parseTomlFile,
  type ConfigProvider,
  type PresentKey,
} from "./providers.js";
export {
  atSection,
  configSpec,
  field,
  keyOf,
  type AnyField,
  type ConfigSpec,
  type Field,
  type FieldKind,
  type Fields,
  type OptionsOf,
  type ValuesOf,
  type ResolvedConfig,
  type SpecInput,
  type SpecValues,
} from "./spec.js";
export { ConfigValueError, checkOptions, fixAt, resolveSpec } from "./resolve-spec.js";
export { describeOrigin, isSet, type Origin } from "./origin.js";
export {
  CONFIG_TABLES_END,
  CONFIG_TABLES_START,
  fileOf,
  renderConfigTables,
  renderTomlTemplate,
  replaceConfigTables,
} from "./templates.js";
