export { CursorPaginator, type CursorPaginatorOptions } from "./cursor.js";
export { detectPaginator, type Detection } from "./detect.js";
export { HeaderCursorPaginator } from "./header-cursor.js";
export { HeaderLinkPaginator } from "./header-link.js";
export { JsonLinkPaginator, NextUrlPaginator } from "./json-link.js";
export { OffsetPaginator, type OffsetPaginatorOptions } from "./offset.js";
export { PageNumberPaginator, type PageNumberPaginatorOptions } from "./page-number.js";
export { RangePaginator, type RangeSettings } from "./range.js";
export {
  createPaginator,
  isPaginator,
  paginatorRegistration,
  paginatorTypes,
  registerPaginator,
  type OptionKind,
  type PaginatorRegistration,
} from "./registry.js";
export { SinglePagePaginator } from "./single-page.js";
export { cloneRequest, requestSignature, type PageRequest, type Paginator, type PaginatorContext } from "./types.js";
