export { FilesystemDestination, FILESYSTEM_CAPABILITIES, filesystem, type FilesystemOptions } from "./factory.js";
export type { S3Credentials } from "./bucket.js";
