export * from "./format.js";
export * from "./files.js";
export { PackageStore } from "./store.js";
