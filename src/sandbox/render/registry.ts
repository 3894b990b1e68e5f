import { CODE_LISTS } from "../world/code-lists.js";
import { ARTEFACT_RENDERERS } from "./artefacts.js";
import { CODE_RENDERER, GENERIC_RENDERER } from "./generic.js";
import { LEDGER_RENDERERS } from "./ledger.js";
import { MASTER_RENDERERS } from "./master.js";
import { SETTLEMENT_RENDERERS } from "./settlements.js";
import type { Renderer } from "./renderer.js";

export type { RenderOptions, Renderer } from "./renderer.js";

/** Table name → how its rows become Sage JSON (the hand-made resources). */
const RENDERERS: Readonly<Record<string, Renderer>> = {
  ...MASTER_RENDERERS,
  ...ARTEFACT_RENDERERS,
  ...SETTLEMENT_RENDERERS,
  ...LEDGER_RENDERERS,
};

/** The renderer of a table: its own, or the one for code lists, or the generic one for the long tail. */
export function rendererFor(name: string): Renderer {
  return RENDERERS[name] ?? (CODE_LISTS[name] ? CODE_RENDERER : GENERIC_RENDERER);
}
