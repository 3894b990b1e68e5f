export {
  FilesystemDestination,
  FILESYSTEM_CAPABILITIES,
  destinationFromConfig,
  filesystem,
  type FilesystemOptions,
} from "./factory.js";
export { FILESYSTEM_SPEC } from "./spec.js";
export type { AzureCredentials, GcsCredentials, S3Credentials } from "./bucket.js";
