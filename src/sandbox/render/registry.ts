import type { Row } from "../world/table.js";
import type { Rec, World } from "../world/world.js";
import { ARTEFACT_RENDERERS } from "./artefacts.js";
import { CODE_RENDERER, GENERIC_RENDERER } from "./generic.js";
import { LEDGER_RENDERERS } from "./ledger.js";
import { MASTER_RENDERERS } from "./master.js";
import { SETTLEMENT_RENDERERS } from "./settlements.js";
import type { Renderer } from "./renderer.js";

export type { RenderOptions, Renderer } from "./renderer.js";

/** Table name → how its rows become Sage JSON. `__code` and `__generic` serve the rest. */
export const RENDERERS: Readonly<Record<string, Renderer>> = {
  ...MASTER_RENDERERS,
  ...ARTEFACT_RENDERERS,
  ...SETTLEMENT_RENDERERS,
  ...LEDGER_RENDERERS,
  __code: CODE_RENDERER,
  __generic: GENERIC_RENDERER,
};

export type { Rec, Row, World };
