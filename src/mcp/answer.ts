import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { errorMessage } from "../util/errors.js";
import { scrub } from "../util/redact.js";

/** JSON that survives what datasets hold: bigints as strings, binary as base64, dates as ISO. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
      if (
        v !== null &&
        typeof v === "object" &&
        (v as { type?: unknown }).type === "Buffer" &&
        Array.isArray((v as { data?: unknown }).data)
      ) {
        return Buffer.from((v as { data: number[] }).data).toString("base64");
      }
      return v;
    },
    2,
  );
}

/**
 * Every tool answer leaves through here: the text is scrubbed like the logs (registered secret
 * values, Bearer/Basic credentials, URL passwords), whatever the tool put into it.
 */
export function answer(value: unknown): CallToolResult {
  const text = typeof value === "string" ? value : toJson(value);
  return { content: [{ type: "text", text: scrub(text) }] };
}

/** A failed call: the message and hint the CLI would print, scrubbed, as an MCP tool error. */
export function failure(err: unknown): CallToolResult {
  return { content: [{ type: "text", text: scrub(errorMessage(err)) }], isError: true };
}
