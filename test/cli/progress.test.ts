import { describe, expect, it } from "vitest";
import { RunProgress, progressMode, type ProgressStream } from "../../src/cli/progress.js";
import type { ProgressEvent } from "../../src/pipeline/index.js";
import { alignRows, fit, formatDuration, formatRate } from "../../src/cli/progress-view.js";

// The run's progress display as text: which mode a stream gets, the plain lines a pipe or CI log
// sees, and the live view's lines (the listr2 frame itself is driven in progress-cli.test.ts).

function sink(over: Partial<ProgressStream> = {}): ProgressStream & { text: string } {
  const s = {
    text: "",
    write(t: string) {
      s.text += t;
      return true;
    },
    ...over,
  };
  return s;
}

/** A run of two resources with one package, driven by a fake clock: [ms, event]. */
const RUN: Array<[number, ProgressEvent]> = [
  [0, { step: "begin", of: "extract", loadId: "1.5", resources: ["contacts", "sales_invoices"] }],
  [1000, { step: "extract", progress: { resource: "contacts", items: 100, pages: 1, done: false } }],
  [2000, { step: "extract", progress: { resource: "contacts", items: 240, pages: 3, done: true } }],
  [12_500, { step: "extract", progress: { resource: "sales_invoices", items: 5000, pages: 50, done: false } }],
  [20_000, { step: "extract", progress: { resource: "sales_invoices", items: 9000, pages: 90, done: true } }],
  [20_000, { step: "end", of: "extract", loadId: "1.5", seconds: 20 }],
  [20_000, { step: "begin", of: "normalize", loadId: "1.5" }],
  [23_000, { step: "normalize", loadId: "1.5", rows: { contacts: 240, sales_invoices: 9000, sales_invoices__lines: 20_000 } }],
  [23_000, { step: "end", of: "normalize", loadId: "1.5", seconds: 3 }],
  [23_000, { step: "begin", of: "load", loadId: "1.5" }],
  [24_000, { step: "load", loadId: "1.5", table: "contacts" }],
  [25_000, { step: "load", loadId: "1.5", table: "sales_invoices" }],
  [26_500, { step: "end", of: "load", loadId: "1.5", seconds: 3.5 }],
];

function drive(p: RunProgress, clock: { now: number }): void {
  for (const [ms, event] of RUN) {
    clock.now = ms;
    p.onEvent(event);
  }
}

describe("progress mode", () => {
  it("is live only on a terminal with a known width", () => {
    const tty = (columns?: number) => sink({ isTTY: true, ...(columns !== undefined ? { columns } : {}) });
    expect(progressMode(true, tty(120), sink(), {})).toBe("live");
    expect(progressMode(true, sink(), sink(), {})).toBe("plain");
    expect(progressMode(true, tty(0), sink(), {})).toBe("plain");
    expect(progressMode(true, tty(), sink(), {})).toBe("plain");
    // listr2 sizes by stdout: a stdout terminal without a width is no place for a live frame either.
    expect(progressMode(true, tty(120), tty(0), {})).toBe("plain");
    expect(progressMode(true, tty(120), sink(), { TERM: "dumb" })).toBe("plain");
    expect(progressMode(false, tty(120), sink(), {})).toBe("off");
  });
});

describe("plain lines (no terminal, or 0 columns)", () => {
  for (const [what, stream] of [
    ["a pipe", sink()],
    ["a terminal with 0 columns", sink({ isTTY: true, columns: 0 })],
  ] as const) {
    it(`on ${what}: per resource and per step, with durations, and nothing but text`, () => {
      const clock = { now: 0 };
      const p = new RunProgress(true, stream, () => clock.now, sink());
      expect(p.displayMode).toBe("plain");
      drive(p, clock);
      const lines = stream.text.trimEnd().split("\n");
      expect(lines).toEqual([
        "[0ms] extract 1.5 started: 2 resource(s)",
        "[2.0s] extract: contacts done: 240 items in 3 pages, 120 items/s, 2.0s",
        // Ten quiet seconds later, the headline: N of M done, items, pages, rate and elapsed.
        "[12.5s] extract: 1 of 2 resources done, 5,240 items, 53 pages, 419 items/s, 12.5s",
        "[20.0s] extract: sales_invoices done: 9,000 items in 90 pages, 450 items/s, 20.0s",
        "[20.0s] extract 1.5 done in 20.0s: 9,240 items in 93 pages from 2 resource(s)",
        "[20.0s] normalize 1.5 started",
        "[23.0s] normalize 1.5 done in 3.0s: 29,240 rows in 3 tables",
        "[23.0s] load 1.5 started",
        "[26.5s] load 1.5 done in 3.5s: 2 table(s)",
      ]);
      // No ANSI escapes, no carriage returns, no spinner frames.
      expect(stream.text.includes("\u001b") || stream.text.includes("\r")).toBe(false);
      expect(stream.text).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    });
  }

  it("says nothing with --no-progress", () => {
    const stream = sink();
    const clock = { now: 0 };
    drive(new RunProgress(false, stream, () => clock.now, sink()), clock);
    expect(stream.text).toBe("");
  });
});

describe("live view text", () => {
  it("shows the done count, a row per resource and the finished steps, cut to the terminal's width", () => {
    const stream = sink({ isTTY: true, columns: 60 });
    const clock = { now: 0 };
    const p = new RunProgress(true, stream, () => clock.now, sink());
    expect(p.displayMode).toBe("live");
    p.onEvent({ step: "begin", of: "extract", loadId: "1.5", resources: ["contacts", "sales_invoices", "tax_rates"] });
    clock.now = 2000;
    p.onEvent({ step: "extract", progress: { resource: "contacts", items: 240, pages: 3, done: true } });
    clock.now = 4000;
    p.onEvent({ step: "extract", progress: { resource: "sales_invoices", items: 1200, pages: 12, done: false } });
    const lines = p.liveText(4000).split("\n");
    expect(lines[0]).toBe("extract: 1 of 3 resources done, 1,440 items, 15 pages…");
    expect(lines.slice(1)).toEqual([
      "  contacts        done     240 items    3 pages   120…",
      "  sales_invoices  reading  1,200 items  12 pages  300…",
      "  tax_rates       waiting",
    ]);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(54);
    expect(stream.text).toBe(""); // the live view writes only through listr2
  });
});

describe("formatting", () => {
  it("durations, rates and fitting", () => {
    expect([0.85, 12.34, 245, 7380].map(formatDuration)).toEqual(["850ms", "12.3s", "4m 05s", "2h 03m"]);
    expect(formatRate(10, 0.1)).toBe("");
    expect(formatRate(5, 2)).toBe("2.5 items/s");
    expect(formatRate(12_345, 1)).toBe("12,345 items/s");
    expect(fit("abcdef", 4)).toBe("abc…");
    expect(fit("abcdef", 0)).toBe("abcdef");
    expect(
      alignRows(
        [
          ["a", "bb"],
          ["ccc", "d"],
        ],
        80,
      ),
    ).toEqual(["a    bb", "ccc  d"]);
  });
});
