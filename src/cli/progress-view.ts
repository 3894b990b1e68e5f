import type { PackageStep } from "../pipeline/pipeline.js";

/**
 * What a run's progress display knows, and the text of it: pure, so the terminal view and the
 * plain lines (CI logs, pipes) say the same things, and tests read them without a terminal.
 */

export interface ResourceProgress {
  items: number;
  pages: number;
  /** When the step's extract began (resources run side by side, so their rates share a start). */
  startedAt: number;
  doneAt?: number;
}

export interface StepLine {
  of: PackageStep;
  loadId: string;
  seconds: number;
  failed: boolean;
  /** What the step moved: items (extract) or rows (normalize, load). */
  summary: string;
}

const n = (x: number) => x.toLocaleString("en-US");

/** `850ms`, `12.3s`, `4m 05s`, `2h 03m`: short enough for a status line, exact enough for a log. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.floor(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Items per second, or empty before a rate means anything (the first quarter second). */
export function formatRate(items: number, seconds: number): string {
  if (seconds < 0.25) return "";
  const r = items / seconds;
  return `${r >= 100 ? n(Math.round(r)) : r.toFixed(1)} items/s`;
}

export class ProgressModel {
  readonly resources = new Map<string, ResourceProgress>();
  /** Resources the extract said it reads, so "N of M" has its M before each one's first page. */
  expected: string[] = [];
  readonly steps: StepLine[] = [];
  current: { of: PackageStep; loadId: string; startedAt: number; detail?: string } | undefined;
  extractStartedAt: number | undefined;

  constructor(readonly runStartedAt: number) {}

  get resourceTotal(): number {
    return new Set([...this.expected, ...this.resources.keys()]).size;
  }

  get resourcesDone(): number {
    return [...this.resources.values()].filter((r) => r.doneAt !== undefined).length;
  }

  get items(): number {
    return [...this.resources.values()].reduce((a, r) => a + r.items, 0);
  }

  get pages(): number {
    return [...this.resources.values()].reduce((a, r) => a + r.pages, 0);
  }

  /** `extract: 2 of 3 resources done, 1,234 items, 12 pages, 410 items/s, 3.0s`. */
  headline(now: number): string {
    const c = this.current;
    if (!c) return this.steps.length > 0 ? "finishing" : "starting";
    const elapsed = (now - c.startedAt) / 1000;
    if (c.of !== "extract") return `${c.of} ${c.loadId}${c.detail ? `: ${c.detail}` : ""}, ${formatDuration(elapsed)}`;
    const rate = formatRate(this.items, elapsed);
    return [
      `extract: ${this.resourcesDone} of ${this.resourceTotal} resources done`,
      `${n(this.items)} items`,
      `${n(this.pages)} pages`,
      ...(rate ? [rate] : []),
      formatDuration(elapsed),
    ].join(", ");
  }

  /** One row per resource of the extract in flight: name, items, pages, rate, elapsed or done. */
  resourceRows(now: number): string[][] {
    const names = [...new Set([...this.expected, ...this.resources.keys()])];
    return names.map((name) => {
      const r = this.resources.get(name);
      if (!r) return [name, "waiting", "", "", ""];
      const seconds = ((r.doneAt ?? now) - r.startedAt) / 1000;
      return [
        name,
        r.doneAt !== undefined ? "done" : "reading",
        `${n(r.items)} items`,
        `${n(r.pages)} pages`,
        `${formatRate(r.items, seconds) || "-"}, ${formatDuration(seconds)}`,
      ];
    });
  }

  /** `extract 1733.12 done in 9.1s: 1,710 items from 3 resources` (or `FAILED after`). */
  static stepText(s: StepLine): string {
    const verb = s.failed ? "FAILED after" : "done in";
    return `${s.of} ${s.loadId} ${verb} ${formatDuration(s.seconds)}${s.summary ? `: ${s.summary}` : ""}`;
  }

  /** `contacts done: 240 items in 3 pages, 120 items/s, 2.0s`. */
  static resourceDoneText(name: string, r: ResourceProgress): string {
    const seconds = ((r.doneAt ?? r.startedAt) - r.startedAt) / 1000;
    const rate = formatRate(r.items, seconds);
    return `extract: ${name} done: ${n(r.items)} items in ${n(r.pages)} pages${rate ? `, ${rate}` : ""}, ${formatDuration(seconds)}`;
  }
}

/** Columns padded to their widest cell, cut to `width` characters (never wrapped). */
export function alignRows(rows: string[][], width: number): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    fit(
      r
        .map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c))
        .join("  ")
        .trimEnd(),
      width,
    ),
  );
}

/** A line cut to `width` with an ellipsis; a width of 0 or less means "unknown": left whole. */
export function fit(line: string, width: number): string {
  if (width <= 0 || line.length <= width) return line;
  return width === 1 ? "…" : `${line.slice(0, width - 1)}…`;
}
