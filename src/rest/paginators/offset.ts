import type { OffsetPaginatorConfig } from "../types.js";
import { RangePaginator } from "./range.js";

/** The class takes the config's fields (everything but `type`). */
export type OffsetPaginatorOptions = Omit<OffsetPaginatorConfig, "type">;

/** `offset`: `offset` moves by `limit`; `limit` is sent on every request. */
export class OffsetPaginator extends RangePaginator {
  constructor(o: OffsetPaginatorOptions) {
    super(
      "offset",
      {
        param: o.offsetParam ?? "offset",
        bodyPath: o.offsetBodyPath,
        initialValue: o.offset ?? 0,
        step: o.limit,
        baseIndex: 0,
        maximumValue: o.maximumOffset,
        totalPath: o.totalPath,
        stopAfterEmptyPage: o.stopAfterEmptyPage ?? true,
        hasMorePath: o.hasMorePath,
        parallel: o.parallel ?? true,
        fixed: { param: o.limitBodyPath ? undefined : (o.limitParam ?? "limit"), bodyPath: o.limitBodyPath, value: o.limit },
      },
      {
        limit: o.limit,
        offset: o.offset,
        offsetParam: o.offsetParam,
        limitParam: o.limitParam,
        offsetBodyPath: o.offsetBodyPath,
        limitBodyPath: o.limitBodyPath,
        totalPath: o.totalPath,
        maximumOffset: o.maximumOffset,
        hasMorePath: o.hasMorePath,
      },
    );
  }
}
