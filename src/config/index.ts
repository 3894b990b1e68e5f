export { Secret, reveal } from "./secret.js";
export { ConfigResolver, parseList, type Found } from "./resolver.js";
export { EnvProvider, TomlProvider, dataDir, defaultProviders, envName, type ConfigProvider } from "./providers.js";
