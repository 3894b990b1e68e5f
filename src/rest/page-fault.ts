import { DataError } from "../util/errors.js";

/**
 * A page that arrived but cannot be taken as it is: its envelope is not what the protocol
 * promises (Sage's `$items` missing or null), its data selector matched nothing on a strict
 * run, or it repeats the previous page. The page loop fetches it again a few times, then it
 * fails the resource. Paginators throw it from `validate`.
 */
export class PageFault extends DataError {}
