import { packageFile, rawFileName } from "../package/files.js";
import type { RawFile } from "../package/format.js";
import { LineFile } from "../util/line-file.js";
import { encodeTypedLine } from "../util/typed-json.js";

/**
 * Raw items of one (resource, table) pair as typed JSON lines, rotated by size so that big
 * extracts stay streamable. What is written is exactly what the resource yielded.
 */
export class RawWriter {
  private current: { out: LineFile; meta: RawFile } | undefined;
  readonly files: RawFile[] = [];

  constructor(
    private readonly packageDir: string,
    private readonly stem: string,
    private readonly resource: string,
    private readonly table: string,
    private readonly maxFileBytes = 8 * 1024 * 1024,
  ) {}

  /**
   * `pageUrl`: where these items came from; recorded where it changes (`RawFile.pages`).
   * `plain`: the items are known to be plain JSON values, written without checking each first.
   */
  write(items: unknown[], pageUrl?: string, plain = false): void {
    let marked = false;
    const known = plain ? "plain" : undefined;
    for (const item of items) {
      // undefined for what JSON cannot hold at the top level (a function, a symbol).
      const line = encodeTypedLine(item, known) as string | undefined;
      if (line === undefined) continue;
      if (!this.current || this.current.out.bytes > this.maxFileBytes) {
        this.rotate();
        marked = false;
      }
      const cur = this.current!;
      if (pageUrl !== undefined && !marked) {
        (cur.meta.pages ??= []).push({ line: cur.out.lines + 1, url: pageUrl });
        marked = true;
      }
      cur.out.write(line);
    }
  }

  private rotate(): void {
    this.closeFile();
    const file = rawFileName(this.stem, this.files.length);
    const meta: RawFile = { file, resource: this.resource, table: this.table, items: 0 };
    this.current = { out: new LineFile(packageFile(this.packageDir, file)), meta };
    this.files.push(meta);
  }

  private closeFile(): void {
    if (!this.current) return;
    this.current.out.close();
    this.current.meta.items = this.current.out.lines;
    this.current = undefined;
  }

  close(): RawFile[] {
    this.closeFile();
    return this.files;
  }
}
