import { isoTime } from "../format.js";
import type { Row } from "../world/table.js";
import type { Rec, RenderOptions, RowRenderer, World } from "../world/world.js";

export type { RenderOptions };
/** The world declares what a renderer is (it calls them); this folder supplies them. */
export type Renderer = RowRenderer;

interface TypedRenderer<T> {
  label(row: Row<T>, w: World, name: string): string;
  render(row: Row<T>, w: World, options: RenderOptions, name: string): Rec;
  date?(row: Row<T>, field: "date" | "due_date", w: World): number | undefined;
}

/** Each renderer knows its row type; the registry holds them untyped. */
export function renderer<T>(r: TypedRenderer<T>): Renderer {
  return r;
}

/** `id`, `displayed_as`, `$path`: the base attributes every list item carries. */
export function head(w: World, name: string, row: Row): Rec {
  const id = w.table(name).id(row);
  return { id, displayed_as: w.label(name, row), $path: `/${name}/${id}` };
}

/** created_at / updated_at, plus deleted_at once a row is deleted (never null: the spec has no nulls). */
export function stamps(row: Row, withDeletedAt = true): Rec {
  const out: Rec = { created_at: isoTime(row.createdAt), updated_at: isoTime(row.updatedAt) };
  if (withDeletedAt && row.deletedAt !== null) out.deleted_at = isoTime(row.deletedAt);
  return out;
}
