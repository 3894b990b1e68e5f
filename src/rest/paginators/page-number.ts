import type { PageNumberPaginatorConfig } from "../types.js";
import { RangePaginator } from "./range.js";

/** The class takes the config's fields (everything but `type`). */
export type PageNumberPaginatorOptions = Omit<PageNumberPaginatorConfig, "type">;

/** `page_number`: the page moves by one from `page` (default `basePage`, default 0 as in dlt). */
export class PageNumberPaginator extends RangePaginator {
  constructor(o: PageNumberPaginatorOptions = {}) {
    const basePage = o.basePage ?? 0;
    super(
      "page_number",
      {
        param: o.pageParam ?? "page",
        bodyPath: o.pageBodyPath,
        initialValue: o.page ?? basePage,
        step: 1,
        baseIndex: basePage,
        maximumValue: o.maximumPage,
        totalPath: o.totalPath,
        totalItemsPath: o.totalItemsPath,
        pageSize: o.pageSize,
        stopAfterEmptyPage: o.stopAfterEmptyPage ?? true,
        hasMorePath: o.hasMorePath,
        parallel: o.parallel ?? true,
      },
      {
        basePage: o.basePage,
        page: o.page,
        pageParam: o.pageParam,
        pageBodyPath: o.pageBodyPath,
        totalPath: o.totalPath,
        totalItemsPath: o.totalItemsPath,
        pageSize: o.pageSize,
        maximumPage: o.maximumPage,
        hasMorePath: o.hasMorePath,
      },
    );
  }
}
