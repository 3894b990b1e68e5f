import { existsSync, mkdirSync, readFileSync, statSync, chmodSync } from "node:fs";
import { dirname, join } from "node:path";
import { dataDir } from "../../config/providers.js";
import { registerSecret } from "../../util/redact.js";
import { ConfigError } from "../../util/errors.js";
import { writeFileAtomic } from "../../util/fs-atomic.js";

/** What is kept after `auth login` and after every refresh. The client secret is never stored. */
export interface StoredTokens {
  clientId: string;
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  refreshTokenExpiresAt?: number;
  scope?: string;
  requestedById?: string;
  tokenUrl: string;
  obtainedAt: string;
}

/** `<data dir>/tokens/sage_accounting.json`: outside any project folder, so it is never committed. */
export function defaultTokenStorePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), "tokens", "sage_accounting.json");
}

/**
 * A token file written atomically with mode 0600 (folder 0700). Sage's refresh tokens are
 * single use: the rotated one must be on disk before the new access token is used, or a crash
 * would leave only a dead refresh token behind and force a new `auth login`.
 */
export class TokenStore {
  constructor(readonly path: string = defaultTokenStorePath()) {}

  exists(): boolean {
    return existsSync(this.path);
  }

  read(): StoredTokens | undefined {
    if (!existsSync(this.path)) return undefined;
    const mode = statSync(this.path).mode & 0o777;
    if (mode & 0o077) {
      // Tighten instead of refusing: the file is ours, and a looser mode was not our doing.
      chmodSync(this.path, 0o600);
    }
    let parsed: StoredTokens;
    try {
      parsed = JSON.parse(readFileSync(this.path, "utf8")) as StoredTokens;
    } catch {
      throw new ConfigError(`the token store ${this.path} is damaged (not JSON)`, {
        hint: "run `sage-pipeline auth login` again",
      });
    }
    if (!parsed.refreshToken || !parsed.accessToken) {
      throw new ConfigError(`the token store ${this.path} has no tokens`, { hint: "run `sage-pipeline auth login`" });
    }
    registerSecret(parsed.accessToken);
    registerSecret(parsed.refreshToken);
    return parsed;
  }

  write(tokens: StoredTokens): void {
    registerSecret(tokens.accessToken);
    registerSecret(tokens.refreshToken);
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.path, `${JSON.stringify(tokens, null, 2)}\n`, 0o600);
  }
}
