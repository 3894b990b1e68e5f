export { NamingConvention, PATH_SEPARATOR, computeTag, shortenIdentifier } from "./naming.js";
export { normalizePackage, type NormalizeOptions } from "./normalize-package.js";
export { RelationalNormalizer, type RootHints, type Row } from "./relational.js";
export { coerce, inferType, parseDate, parseTimestamp, NO_FIT, DEFAULT_PRECISION, DEFAULT_SCALE } from "./coerce.js";
