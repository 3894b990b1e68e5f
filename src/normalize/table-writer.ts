import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { LineFile } from "../util/line-file.js";

export interface WrittenFile {
  table: string;
  file: string;
  rows: number;
  bytes: number;
  maxRowBytes: number;
}

/**
 * JSON lines for one table, rotating files so that no file grows without bound. File names
 * follow dlt's job file names: `<table>.<file_id>.<retry_count>.jsonl`.
 */
export class TableWriter {
  private current: { out: LineFile; meta: WrittenFile } | undefined;
  readonly files: WrittenFile[] = [];

  constructor(
    readonly table: string,
    private readonly dir: string,
    private readonly maxFileBytes = 64 * 1024 * 1024,
  ) {}

  write(row: object): void {
    if (!this.current || this.current.out.bytes > this.maxFileBytes) this.rotate();
    this.current!.out.write(JSON.stringify(row));
  }

  private rotate(): void {
    this.closeFile();
    const name = `${this.table}.${randomBytes(5).toString("hex")}.0.jsonl`;
    const meta: WrittenFile = { table: this.table, file: name, rows: 0, bytes: 0, maxRowBytes: 0 };
    this.current = { out: new LineFile(join(this.dir, name)), meta };
    this.files.push(meta);
  }

  private closeFile(): void {
    if (!this.current) return;
    const { out, meta } = this.current;
    out.close();
    meta.rows = out.lines;
    meta.bytes = out.bytes;
    meta.maxRowBytes = out.maxLineBytes;
    this.current = undefined;
  }

  close(): WrittenFile[] {
    this.closeFile();
    return this.files;
  }
}
