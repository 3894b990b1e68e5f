import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { RawFile } from "../package/format.js";
import { encodeTypedLine } from "../util/typed-json.js";

const FLUSH_BYTES = 1 << 20;

/**
 * Raw items of one (resource, table) pair as typed JSON lines, rotated by size so that big
 * extracts stay streamable. What is written is exactly what the resource yielded.
 */
export class RawWriter {
  private fd: number | undefined;
  private current: RawFile | undefined;
  private bytes = 0;
  private chunks: string[] = [];
  private buffered = 0;
  readonly files: RawFile[] = [];

  constructor(
    private readonly packageDir: string,
    private readonly stem: string,
    private readonly resource: string,
    private readonly table: string,
    private readonly maxFileBytes = 32 * 1024 * 1024,
  ) {}

  write(items: unknown[]): void {
    for (const item of items) {
      const line = encodeTypedLine(item);
      if (line === undefined) continue;
      if (!this.current || this.bytes > this.maxFileBytes) this.rotate();
      this.chunks.push(line);
      this.buffered += line.length + 1;
      this.bytes += line.length + 1;
      this.current!.items++;
    }
    if (this.buffered >= FLUSH_BYTES) this.flush();
  }

  private rotate(): void {
    this.closeFile();
    const file = `raw/${this.stem}.${this.files.length}.jsonl`;
    this.fd = openSync(join(this.packageDir, file), "w");
    this.current = { file, resource: this.resource, table: this.table, items: 0 };
    this.files.push(this.current);
    this.bytes = 0;
  }

  private flush(): void {
    if (this.fd === undefined || this.chunks.length === 0) return;
    writeSync(this.fd, this.chunks.join("\n") + "\n");
    this.chunks = [];
    this.buffered = 0;
  }

  private closeFile(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  close(): RawFile[] {
    this.closeFile();
    return this.files;
  }
}
