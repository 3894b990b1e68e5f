import { ConfigError } from "../util/errors.js";
import { type ConfigProvider, defaultProviders, envName } from "./providers.js";
import { Secret } from "./secret.js";

export interface Found {
  value: unknown;
  /** Where the value came from, for error messages: `environment variable X` or `file [section] key`. */
  where: string;
}

function describeWhere(provider: ConfigProvider, path: readonly string[]): string {
  if (provider.name === "environment") return `environment variable ${envName(path)}`;
  const key = path[path.length - 1];
  const section = path.slice(0, -1).join(".");
  return section ? `${provider.name} [${section}] ${key}` : `${provider.name} ${key}`;
}

/**
 * dlt's lookup: for each provider in priority order, try the most specific path first
 * (`[pipeline_name.]sources.sage_accounting_source.access_token`) and then drop the rightmost
 * section until only the bare key is left. The first hit wins.
 */
export class ConfigResolver {
  constructor(
    private readonly providers: ConfigProvider[] = defaultProviders(),
    private readonly pipelineName?: string,
  ) {}

  static fromCwd(cwd?: string, env?: NodeJS.ProcessEnv, pipelineName?: string): ConfigResolver {
    return new ConfigResolver(defaultProviders(cwd, env), pipelineName);
  }

  withPipeline(pipelineName: string): ConfigResolver {
    return new ConfigResolver(this.providers, pipelineName);
  }

  private candidatePaths(sections: readonly string[], key: string): string[][] {
    const paths: string[][] = [];
    const prefixes = this.pipelineName ? [[this.pipelineName], []] : [[]];
    for (const prefix of prefixes) {
      for (let n = sections.length; n >= 0; n--) paths.push([...prefix, ...sections.slice(0, n), key]);
    }
    return paths;
  }

  find(sections: readonly string[], key: string): Found | undefined {
    const paths = this.candidatePaths(sections, key);
    for (const provider of this.providers) {
      for (const path of paths) {
        const value = provider.lookup(path);
        if (value !== undefined && value !== "") return { value, where: describeWhere(provider, path) };
      }
    }
    return undefined;
  }

  /** Like `find` but only for the exact section path (no fallback to shorter paths). */
  findExact(sections: readonly string[], key: string): Found | undefined {
    const path = [...sections, key];
    for (const provider of this.providers) {
      const value = provider.lookup(path);
      if (value !== undefined && value !== "") return { value, where: describeWhere(provider, path) };
    }
    return undefined;
  }

  string(sections: readonly string[], key: string): string | undefined {
    const f = this.find(sections, key);
    if (!f) return undefined;
    if (typeof f.value === "string") return f.value;
    if (typeof f.value === "number" || typeof f.value === "boolean") return String(f.value);
    throw typeError(f, sections, key, "a string");
  }

  secret(sections: readonly string[], key: string): Secret | undefined {
    const s = this.string(sections, key);
    return s === undefined ? undefined : new Secret(s);
  }

  number(sections: readonly string[], key: string): number | undefined {
    const f = this.find(sections, key);
    if (!f) return undefined;
    const n = typeof f.value === "number" ? f.value : typeof f.value === "string" ? Number(f.value.trim()) : NaN;
    if (!Number.isFinite(n)) throw typeError(f, sections, key, "a number");
    return n;
  }

  boolean(sections: readonly string[], key: string): boolean | undefined {
    const f = this.find(sections, key);
    if (!f) return undefined;
    if (typeof f.value === "boolean") return f.value;
    if (typeof f.value === "string") {
      const v = f.value.trim().toLowerCase();
      if (["true", "1", "yes", "on"].includes(v)) return true;
      if (["false", "0", "no", "off"].includes(v)) return false;
    }
    throw typeError(f, sections, key, "true or false");
  }

  /** A list from TOML, or from an env var written `a,b,c` or `["a", "b"]`. */
  list(sections: readonly string[], key: string): string[] | undefined {
    const f = this.find(sections, key);
    if (!f) return undefined;
    return parseList(f.value, () => typeError(f, sections, key, "a list of strings"));
  }

  /** A whole section as an object (e.g. `[destination.postgres.credentials]`), or a scalar. */
  raw(sections: readonly string[], key: string): Found | undefined {
    return this.find(sections, key);
  }
}

export function parseList(value: unknown, fail: () => Error): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (typeof value === "string") {
    const s = value.trim();
    if (s.startsWith("[")) {
      try {
        const parsed = JSON.parse(s.replace(/'/g, '"')) as unknown;
        if (Array.isArray(parsed)) return parsed.map((v) => String(v));
      } catch {
        throw fail();
      }
    }
    return s
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
  }
  throw fail();
}

function typeError(f: Found, sections: readonly string[], key: string, expected: string): ConfigError {
  const shown = typeof f.value === "string" ? JSON.stringify(f.value) : typeof f.value;
  return new ConfigError(`${f.where}: ${[...sections, key].join(".")} must be ${expected}, got ${shown}`, {
    hint: `change the value in ${f.where.replace(/ \[.*$/, "")}`,
  });
}
