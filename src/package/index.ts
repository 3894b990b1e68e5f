export * from "./format.js";
export { PackageStore } from "./store.js";
