import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ShapeOutput, ZodRawShapeCompat } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import { answer, failure } from "./answer.js";

/**
 * Register one tool whose answer (or error) always leaves through `answer`/`failure`, so no
 * tool can skip the scrubber. `readOnly` tells clients the tool changes nothing.
 */
export function addTool<S extends ZodRawShapeCompat>(
  server: McpServer,
  name: string,
  description: string,
  shape: S,
  fn: (args: ShapeOutput<S>) => unknown,
  readOnly = true,
): void {
  const inputSchema: ZodRawShapeCompat = shape;
  server.registerTool(
    name,
    { description, inputSchema, annotations: { readOnlyHint: readOnly, openWorldHint: false } },
    async (args) => {
      try {
        // The SDK validated `args` against `shape` before calling.
        return answer(await fn(args as ShapeOutput<S>));
      } catch (err) {
        return failure(err);
      }
    },
  );
}
