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

const FLUSH_BYTES = 1 << 20;

/**
 * Buffered JSON-lines writer for one table, rotating files so that loads can run per file and
 * no file grows without bound. Sync I/O: normalize is CPU-bound and owns the process while it runs.
 * File names follow dlt's job file names: `<table>.<file_id>.<retry_count>.jsonl`.
 */
export class TableWriter {
  private fd: number | undefined;
  private file: WrittenFile | undefined;
  private chunks: string[] = [];
  private buffered = 0;
  readonly files: WrittenFile[] = [];

  constructor(
    readonly table: string,
    private readonly dir: string,
    private readonly maxFileBytes = 64 * 1024 * 1024,
  ) {}

  write(row: object): void {
    const line = JSON.stringify(row);
    if (!this.file || this.file.bytes > this.maxFileBytes) this.rotate();
    this.chunks.push(line);
    this.buffered += line.length + 1;
    this.file!.rows++;
    this.file!.bytes += line.length + 1;
    // UTF-16 length: a lower bound of the UTF-8 bytes; times 3 is an upper bound, cheap and safe.
    if (line.length * 3 > this.file!.maxRowBytes) this.file!.maxRowBytes = line.length * 3;
    if (this.buffered >= FLUSH_BYTES) this.flush();
  }

  private rotate(): void {
    this.closeFile();
    const name = `${this.table}.${randomBytes(5).toString("hex")}.0.jsonl`;
    this.fd = openSync(join(this.dir, name), "w");
    this.file = { table: this.table, file: name, rows: 0, bytes: 0, maxRowBytes: 0 };
    this.files.push(this.file);
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

  close(): WrittenFile[] {
    this.closeFile();
    return this.files;
  }
}
