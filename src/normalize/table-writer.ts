import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { jobFileName } from "../package/files.js";
import type { Column } from "../schema/types.js";
import { LineFile } from "../util/line-file.js";
import { CopyRowEncoder, FILE_EXTENSIONS, LOAD_FILE_MAX_BYTES, type LoadFileFormat } from "../writers/index.js";

export interface WrittenFile {
  table: string;
  file: string;
  format: LoadFileFormat;
  /** copy_text: the columns of every line, in order (a file never changes its columns). */
  columns?: string[];
  rows: number;
  bytes: number;
  maxRowBytes: number;
  /** copy_text: NUL characters removed (Postgres text cannot hold them). */
  nulStripped?: number;
}

/**
 * Load files for one table, rotating so that no file grows without bound. File names follow
 * dlt's job file names, `<table>.<file_id>.<retry_count>.<ext>`, the table part hash-shortened when
 * long (a table 60 levels deep has a name longer than any file system allows). A copy_text file has a fixed
 * column list, so a column added mid-package starts a new file.
 */
export class TableWriter {
  private current: { out: LineFile; meta: WrittenFile; encoder?: CopyRowEncoder } | undefined;
  readonly files: WrittenFile[] = [];

  constructor(
    readonly table: string,
    private readonly dir: string,
    private readonly format: LoadFileFormat = "jsonl",
    private readonly columnsOf: () => Column[] = () => [],
    private readonly maxFileBytes = LOAD_FILE_MAX_BYTES,
  ) {}

  write(row: Record<string, unknown>): void {
    if (this.format === "jsonl") {
      if (!this.current || this.current.out.bytes > this.maxFileBytes) this.rotate();
      this.current!.out.write(JSON.stringify(row));
      return;
    }
    const columns = this.columnsOf();
    if (!this.current || this.current.out.bytes > this.maxFileBytes || this.current.meta.columns!.length !== columns.length) {
      this.rotate(columns);
    }
    this.current!.out.write(this.current!.encoder!.encodeFields(row));
  }

  private rotate(columns?: Column[]): void {
    this.closeFile();
    const name = jobFileName(this.table, randomBytes(5).toString("hex"), FILE_EXTENSIONS[this.format]);
    const meta: WrittenFile = { table: this.table, file: name, format: this.format, rows: 0, bytes: 0, maxRowBytes: 0 };
    if (columns) meta.columns = columns.map((c) => c.name);
    this.current = {
      out: new LineFile(join(this.dir, name)),
      meta,
      ...(columns ? { encoder: new CopyRowEncoder(columns) } : {}),
    };
    this.files.push(meta);
  }

  private closeFile(): void {
    if (!this.current) return;
    const { out, meta, encoder } = this.current;
    out.close();
    meta.rows = out.lines;
    meta.bytes = out.bytes;
    meta.maxRowBytes = out.maxLineBytes;
    if (encoder && encoder.nulStripped > 0) meta.nulStripped = encoder.nulStripped;
    this.current = undefined;
  }

  close(): WrittenFile[] {
    this.closeFile();
    return this.files;
  }
}
