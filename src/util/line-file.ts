import { closeSync, openSync, writeSync } from "node:fs";

const BUFFER_BYTES = 1 << 20;

/**
 * A file of lines, encoded straight into one reusable buffer and written in 1 MB blocks: no
 * joined strings and no second copy (about 2x faster than writing strings on this hot path).
 * Sync I/O: the steps that write these files own the process while they run.
 */
export class LineFile {
  private fd: number | undefined;
  private buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  lines = 0;
  bytes = 0;
  maxLineBytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  write(line: string): void {
    // A UTF-16 unit takes at most 3 UTF-8 bytes: make room for the worst case first.
    const worst = line.length * 3 + 1;
    if (this.used + worst > this.buffer.length) {
      this.flush();
      if (worst > this.buffer.length) this.buffer = Buffer.allocUnsafe(worst);
    }
    const n = this.buffer.write(line, this.used, "utf8");
    this.buffer[this.used + n] = 10;
    this.used += n + 1;
    this.lines++;
    this.bytes += n + 1;
    if (n > this.maxLineBytes) this.maxLineBytes = n;
  }

  private flush(): void {
    if (this.fd === undefined || this.used === 0) return;
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buffer, off, this.used - off);
    this.used = 0;
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
