import { createServer } from "node:http";
import { adminHandler } from "./admin.js";
import { resolveSandboxOptions, type SandboxOptions } from "./options.js";
import { Sandbox } from "./sandbox.js";
import { createHandler, guarded } from "./server.js";
import { SandboxState } from "./state.js";

/** Start a sandbox on 127.0.0.1 (port 0: a free port). Data is generated lazily, on first use. */
export async function startSandbox(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const resolved = resolveSandboxOptions(options);
  const state = new SandboxState(resolved);
  const server = createServer();
  server.keepAliveTimeout = 5_000;
  // The admin routes drive the Sandbox object, which exists once the server listens.
  const ready: { sandbox?: Sandbox } = {};
  const admin = adminHandler(() => {
    if (!ready.sandbox) throw new Error("sandbox not ready");
    return ready.sandbox;
  });
  const oauth = {
    clientId: resolved.clientId,
    clientSecret: resolved.clientSecret,
    redirectUris: resolved.redirectUris,
    country: state.lead.country,
  };
  server.on("request", guarded(createHandler(state, oauth, admin)));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(resolved.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  ready.sandbox = new Sandbox(server, state);
  return ready.sandbox;
}
