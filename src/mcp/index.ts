export { createMcpServer, type McpSetup } from "./server.js";
export { startMcpHttp, type McpHttpServer } from "./http.js";
export { registerKnownSecrets } from "./known-secrets.js";
