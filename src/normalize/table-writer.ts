import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

export interface WrittenFile {
  table: string;
  file: string;
  rows: number;
  bytes: number;
  maxRowBytes: number;
}

const BUFFER_BYTES = 1 << 20;

/**
 * Buffered JSON-lines writer for one table, rotating files so that loads can run per file and
 * no file grows without bound. Sync I/O: normalize is CPU-bound and owns the process while it runs.
 * File names follow dlt's job file names: `<table>.<file_id>.<retry_count>.jsonl`.
 */
export class TableWriter {
  private fd: number | undefined;
  private file: WrittenFile | undefined;
  // Lines are encoded straight into one reusable buffer: no joined string, no second copy.
  private buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  readonly files: WrittenFile[] = [];

  constructor(
    readonly table: string,
    private readonly dir: string,
    private readonly maxFileBytes = 64 * 1024 * 1024,
  ) {}

  write(row: object): void {
    const line = JSON.stringify(row);
    if (!this.file || this.file.bytes > this.maxFileBytes) this.rotate();
    // A UTF-16 unit takes at most 3 UTF-8 bytes: make room for the worst case first.
    const worst = line.length * 3 + 1;
    if (this.used + worst > this.buffer.length) {
      this.flush();
      if (worst > this.buffer.length) this.buffer = Buffer.allocUnsafe(worst);
    }
    const n = this.buffer.write(line, this.used, "utf8");
    this.buffer[this.used + n] = 10;
    this.used += n + 1;
    this.file!.rows++;
    this.file!.bytes += n + 1;
    if (n > this.file!.maxRowBytes) this.file!.maxRowBytes = n;
  }

  private rotate(): void {
    this.closeFile();
    const name = `${this.table}.${randomBytes(5).toString("hex")}.0.jsonl`;
    this.fd = openSync(join(this.dir, name), "w");
    this.file = { table: this.table, file: name, rows: 0, bytes: 0, maxRowBytes: 0 };
    this.files.push(this.file);
  }

  private flush(): void {
    if (this.fd === undefined || this.used === 0) return;
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buffer, off, this.used - off);
    this.used = 0;
  }

  private closeFile(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  close(): WrittenFile[] {
    this.closeFile();
    return this.files;
  }
}
