import type { Command } from "commander";
import { RestClient } from "../../rest/index.js";
import { createSageAuth } from "../../sage/auth.js";
import { DEFAULT_AUTHORIZE_URL, DEFAULT_TOKEN_URL, login, openBrowser } from "../../sage/auth/login.js";
import { TokenStore } from "../../sage/auth/token-store.js";
import { listBusinesses } from "../../sage/businesses.js";
import { SAGE_SPEC, resolveSageOptions } from "../../sage/options.js";
import { ConfigError } from "../../util/errors.js";
import { cliConfig } from "../config.js";

interface LoginFlags {
  port: string;
  redirectUri?: string;
  scope: string;
  country?: string;
  authorizeUrl?: string;
  browser: boolean;
  tokenStore?: string;
  timeout: string;
}

function describeExpiry(ms: number): string {
  const s = Math.round((ms - Date.now()) / 1000);
  if (s <= 0) return "expired";
  if (s < 120) return `in ${s} s`;
  if (s < 7200) return `in ${Math.round(s / 60)} min`;
  return `in ${Math.round(s / 86400)} day(s)`;
}

/** `auth login` (authorization-code flow) and `auth status` (who, which businesses; never tokens). */
export function registerAuth(program: Command): void {
  const auth = program.command("auth").description("log in to Sage Accounting and inspect the stored login");

  auth
    .command("login")
    .description("open Sage's login page, receive the callback on 127.0.0.1 and store the tokens (mode 0600)")
    .option("--port <n>", "local callback port; http://127.0.0.1:<port>/callback must be registered for your app", "8080")
    .option("--redirect-uri <uri>", "the registered callback URL, when it is not http://127.0.0.1:<port>/callback")
    .option("--scope <scope>", "readonly or full_access", "readonly")
    .option("--country <code>", "preselect a country on Sage's page (gb, ie, us, ca, de, es, fr)")
    .option("--authorize-url <url>", "authorize endpoint (default Sage's, or [sources.sage_accounting_source] authorize_url)")
    .option("--no-browser", "only print the URL")
    .option("--token-store <path>", "where to keep the tokens (default under ~/.sage-pipeline/tokens)")
    .option("--timeout <s>", "give up after this many seconds", "300")
    .action(async (f: LoginFlags) => {
      const sage = cliConfig().resolve(SAGE_SPEC, { tokenStore: f.tokenStore, authorizeUrl: f.authorizeUrl });
      const { clientId, clientSecret } = sage.values;
      if (!clientId || !clientSecret) {
        throw new ConfigError("auth login needs client_id and client_secret of your Sage app", {
          hint: "put them in .dlt/secrets.toml under [sources.sage_accounting_source], or set SOURCES__SAGE_ACCOUNTING_SOURCE__CLIENT_ID and ..._CLIENT_SECRET",
        });
      }
      const port = Number(f.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new ConfigError(`--port must be a port number, got ${f.port}`);
      const store = new TokenStore(sage.values.tokenStore);
      const tokens = await login({
        clientId,
        clientSecret: clientSecret.reveal(),
        authorizeUrl: sage.values.authorizeUrl ?? DEFAULT_AUTHORIZE_URL,
        tokenUrl: sage.values.tokenUrl ?? DEFAULT_TOKEN_URL,
        port,
        ...(f.redirectUri ? { redirectUri: f.redirectUri } : {}),
        scope: f.scope,
        ...(f.country ? { country: f.country } : {}),
        store,
        timeoutMs: Number(f.timeout) * 1000,
        onAuthorizeUrl: (url) => {
          process.stderr.write(`Open this URL to log in to Sage (it expires with this command):\n\n  ${url}\n\n`);
          if (f.browser && openBrowser(url)) process.stderr.write("(opened in your browser)\n");
          process.stderr.write("Waiting for the callback...\n");
        },
      });
      process.stdout.write(
        `Logged in. Tokens stored in ${store.path} (mode 0600); access token expires ${describeExpiry(tokens.expiresAt)}.\n`,
      );
      process.stdout.write("Run `sage-pipeline auth status` to see the businesses, then `sage-pipeline run`.\n");
    });

  auth
    .command("status")
    .description("show the logged-in user and the businesses the pipeline will load (never the tokens)")
    .option("--token-store <path>", "token store to read")
    .option("--json", "as JSON on stdout")
    .action(async (f: { tokenStore?: string; json?: boolean }) => {
      const config = cliConfig();
      const o = resolveSageOptions(f.tokenStore ? { tokenStore: f.tokenStore } : {}, config);
      const store = new TokenStore(o.tokenStore);
      const stored = store.exists() ? store.read() : undefined;
      const client = new RestClient({ baseUrl: o.baseUrl, auth: createSageAuth(o), resolver: config });
      const user = (await client.get("user")).json() as Record<string, string | undefined>;
      const { businesses } = await listBusinesses(client, o.businesses, new AbortController().signal);
      const status = {
        user: {
          name: user.displayed_as ?? [user.first_name, user.last_name].filter(Boolean).join(" "),
          email: user.email ?? null,
        },
        businesses,
        tokenStore: o.accessToken ? null : store.path,
        refreshTokenExpires: stored?.refreshTokenExpiresAt ? new Date(stored.refreshTokenExpiresAt).toISOString() : null,
        baseUrl: o.baseUrl,
      };
      if (f.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        return;
      }
      const lines = [
        `Logged in as ${status.user.name}${status.user.email ? ` <${status.user.email}>` : ""}`,
        `API: ${o.baseUrl}`,
        o.accessToken ? "Credentials: access_token from configuration" : `Token store: ${store.path}`,
        ...(stored?.refreshTokenExpiresAt
          ? [`Login valid until ${status.refreshTokenExpires} (refresh token; renewed by every run)`]
          : []),
        `Businesses (${businesses.length}):`,
        ...businesses.map((b) => `  ${b.id}  ${b.name}`),
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
