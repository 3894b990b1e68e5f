/**
 * The line of every key and table header of a TOML document. smol-toml gives values but no
 * positions, so this walks the text once more, after smol-toml accepted it: table headers
 * (`[a.b]`, `[[a.b]]`), dotted and quoted keys, and the keys inside inline tables, skipping
 * strings (also multi-line ones), arrays over several lines and comments.
 *
 * The result maps a key path (joined with NUL) to its 1-based line. A path that is only implied
 * (`[sources.x]` implies `sources`) maps to the first line that implies it.
 */
export type TomlLines = ReadonlyMap<string, number>;

export const pathId = (path: readonly string[]): string => path.join("\u0000");

/** The line of `path`, or of its longest recorded prefix (a key inside a one-line inline table). */
export function lineOf(lines: TomlLines, path: readonly string[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const line = lines.get(pathId(path.slice(0, n)));
    if (line !== undefined) return line;
  }
  return undefined;
}

export function tomlLines(text: string): TomlLines {
  return new Scanner(text).run();
}

const BARE = /[A-Za-z0-9_-]/;

class Scanner {
  private pos = 0;
  private line = 1;
  private readonly lines = new Map<string, number>();

  constructor(private readonly s: string) {}

  run(): TomlLines {
    let table: string[] = [];
    for (;;) {
      this.skipBlank(true);
      if (this.pos >= this.s.length) break;
      if (this.s[this.pos] === "[") {
        const array = this.s[this.pos + 1] === "[";
        this.pos += array ? 2 : 1;
        const headerLine = this.line;
        table = this.keyPath();
        this.record(table, headerLine);
        this.skipBlank(false);
        this.pos += array ? 2 : 1;
      } else {
        this.keyValue(table);
      }
      this.skipToLineEnd();
    }
    return this.lines;
  }

  private record(path: readonly string[], line: number): void {
    for (let n = 1; n <= path.length; n++) {
      const id = pathId(path.slice(0, n));
      if (!this.lines.has(id)) this.lines.set(id, line);
    }
  }

  private keyValue(table: readonly string[]): void {
    const keyLine = this.line;
    const path = [...table, ...this.keyPath()];
    this.record(path, keyLine);
    this.skipBlank(false);
    if (this.s[this.pos] === "=") this.pos++;
    this.skipBlank(false);
    this.value(path);
  }

  /** `a`, `a.b`, `"quoted key".'literal'` up to `=` or `]`. */
  private keyPath(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skipBlank(false);
      const c = this.s[this.pos];
      if (c === '"') parts.push(this.basicString());
      else if (c === "'") parts.push(this.literalString());
      else {
        const start = this.pos;
        while (this.pos < this.s.length && BARE.test(this.s[this.pos]!)) this.pos++;
        if (this.pos === start) break;
        parts.push(this.s.slice(start, this.pos));
      }
      this.skipBlank(false);
      if (this.s[this.pos] !== ".") break;
      this.pos++;
    }
    return parts;
  }

  private value(path: readonly string[]): void {
    const c = this.s[this.pos];
    if (c === '"' || c === "'") {
      if (this.s.startsWith(c.repeat(3), this.pos)) this.multiLineString(c);
      else if (c === '"') this.basicString();
      else this.literalString();
    } else if (c === "[") {
      this.pos++;
      for (;;) {
        this.skipBlank(true);
        if (this.pos >= this.s.length || this.s[this.pos] === "]") break;
        if (this.s[this.pos] === ",") this.pos++;
        else this.value(path);
      }
      this.pos++;
    } else if (c === "{") {
      this.pos++;
      for (;;) {
        this.skipBlank(true);
        if (this.pos >= this.s.length || this.s[this.pos] === "}") break;
        if (this.s[this.pos] === ",") this.pos++;
        else this.keyValue(path);
      }
      this.pos++;
    } else {
      // A bare scalar: number, boolean, date-time (which may hold one space).
      while (this.pos < this.s.length && !/[,\]}\n#]/.test(this.s[this.pos]!)) {
        if (this.s[this.pos] === " " && !/^ \d/.test(this.s.slice(this.pos, this.pos + 2))) break;
        this.pos++;
      }
    }
  }

  private basicString(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.s.length && this.s[this.pos] !== '"' && this.s[this.pos] !== "\n") {
      if (this.s[this.pos] === "\\") this.pos++;
      this.pos++;
    }
    this.pos++;
    const raw = this.s.slice(start, this.pos);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  }

  private literalString(): string {
    const start = ++this.pos;
    while (this.pos < this.s.length && this.s[this.pos] !== "'" && this.s[this.pos] !== "\n") this.pos++;
    return this.s.slice(start, this.pos++);
  }

  private multiLineString(quote: string): void {
    this.pos += 3;
    const close = quote.repeat(3);
    while (this.pos < this.s.length && !this.s.startsWith(close, this.pos)) {
      if (quote === '"' && this.s[this.pos] === "\\") this.pos++;
      else if (this.s[this.pos] === "\n") this.line++;
      this.pos++;
    }
    this.pos += 3;
    // Up to two more quotes may belong to the string (`""""` ends with a quote in it).
    while (this.s[this.pos] === quote) this.pos++;
  }

  /** Spaces and tabs; with `newlines`, also line breaks and comments. */
  private skipBlank(newlines: boolean): void {
    while (this.pos < this.s.length) {
      const c = this.s[this.pos];
      if (c === " " || c === "\t" || c === "\r") this.pos++;
      else if (newlines && c === "\n") {
        this.line++;
        this.pos++;
      } else if (newlines && c === "#") this.skipComment();
      else break;
    }
  }

  private skipComment(): void {
    while (this.pos < this.s.length && this.s[this.pos] !== "\n") this.pos++;
  }

  private skipToLineEnd(): void {
    this.skipComment();
  }
}
