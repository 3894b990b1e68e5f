import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { forEachLine } from "../../src/util/line-reader.js";

const dir = mkdtempSync(join(tmpdir(), "line-reader-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function lines(text: string | Buffer): Array<[number, string]> {
  const file = join(dir, `f${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, text);
  const out: Array<[number, string]> = [];
  forEachLine(file, (line, n) => out.push([n, line]));
  return out;
}

/** What splitting the whole text gives: the behaviour forEachLine must keep. */
function expected(text: string): Array<[number, string]> {
  const parts = text.split("\n");
  if (parts.at(-1) === "") parts.pop();
  return parts.map((l, i) => [i + 1, l] as [number, string]).filter(([, l]) => l.length > 0);
}

describe("forEachLine", () => {
  it("passes every non-empty line with its 1-based number, with or without a final newline", () => {
    expect(lines("a\nb\n")).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
    expect(lines("a\n\nc")).toEqual([
      [1, "a"],
      [3, "c"],
    ]);
    expect(lines("")).toEqual([]);
    expect(lines("\n\n")).toEqual([]);
  });

  it("keeps lines whole across read blocks, also multi-byte characters on a block edge", () => {
    // Lines of varying length so that block edges (64 KiB) fall inside lines and inside "é€😀".
    const all: string[] = [];
    for (let i = 0; i < 5000; i++) all.push(`${i}:${"x".repeat(i % 97)}é€😀${i % 3 === 0 ? "" : "y".repeat(i % 13)}`);
    const text = all.join("\n") + "\n";
    expect(lines(text)).toEqual(expected(text));
  });

  it("reads a line longer than the read buffer", () => {
    const long = "z".repeat(300_000) + "€";
    const text = `short\n${long}\nlast`;
    expect(lines(text)).toEqual([
      [1, "short"],
      [2, long],
      [3, "last"],
    ]);
  });
});
