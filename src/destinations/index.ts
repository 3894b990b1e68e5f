export type { Capabilities, ConnectOptions, Destination, DestinationClient, LoadRequest, ResultRow, StateRow } from "./destination.js";
export { registerDestination, resolveDestination, destinationNames, type DestinationFactory } from "./registry.js";
export { SqlJobClient, LoadError, type SqlDialect, type SqlConnection } from "./sql/index.js";
