import { DefaultRenderer, Listr, ListrLogger, ProcessOutput } from "listr2";
import type { ProgressEvent } from "../pipeline/pipeline.js";
import { ProgressModel, alignRows, fit, formatDuration } from "./progress-view.js";

/** Where progress goes: stderr, so stdout stays for results (`run --json | jq`). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export type ProgressMode = "off" | "live" | "plain";

/**
 * A live display only on a terminal whose width is known; otherwise plain lines with no ANSI
 * codes and no spinner frames. A width of 0 or none (some CI terminals, `COLUMNS=0`, a pty
 * nobody sized) would make a live view cut every line to nothing or wrap it into garbage.
 * listr2 sizes its lines by stdout, so a stdout terminal without a width counts too.
 */
export function progressMode(
  enabled: boolean,
  stream: ProgressStream = process.stderr,
  stdout: ProgressStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): ProgressMode {
  if (!enabled) return "off";
  if (stream.isTTY !== true || env.TERM === "dumb") return "plain";
  if (!((stream.columns ?? 0) > 0)) return "plain";
  if (stdout.isTTY === true && !((stdout.columns ?? 0) > 0)) return "plain";
  return "live";
}

/** The default renderer, told it may run when only stderr is a terminal (it writes nowhere else). */
class StderrRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

/** A plain status line at most this often while a step runs without finishing anything. */
const PLAIN_EVERY_MS = 10_000;
/** Resource rows in the live view (a Sage run has 24 by default; all 85 would not fit a screen). */
const MAX_LIVE_ROWS = 30;

/**
 * Progress of a run on stderr: per resource items, pages, rate and elapsed; "N of M resources
 * done"; a line per step of each package with its duration. Live (listr2) on a sized terminal,
 * plain lines otherwise (see `progressMode`).
 */
export class RunProgress {
  private readonly model: ProgressModel;
  private readonly mode: ProgressMode;
  private update: ((text: string) => void) | undefined;
  private lastPlain = 0;
  /** Tables staged by the load in flight, and rows normalized per package, for the step lines. */
  private loadTables = new Set<string>();
  private normalized = new Map<string, Record<string, number>>();

  constructor(
    enabled: boolean,
    private readonly stream: ProgressStream = process.stderr,
    private readonly clock: () => number = Date.now,
    private readonly stdout: ProgressStream = process.stdout,
  ) {
    this.mode = progressMode(enabled, stream, stdout);
    this.model = new ProgressModel(clock());
  }

  get displayMode(): ProgressMode {
    return this.mode;
  }

  onEvent = (e: ProgressEvent): void => {
    if (this.mode === "off") return;
    const now = this.clock();
    const m = this.model;
    switch (e.step) {
      case "begin":
        m.current = { of: e.of, loadId: e.loadId, startedAt: now };
        if (e.of === "extract") {
          m.expected = e.resources ?? [];
          m.resources.clear();
          m.extractStartedAt = now;
        }
        if (e.of === "load") this.loadTables.clear();
        this.plain(`${e.of} ${e.loadId} started${e.of === "extract" ? `: ${m.expected.length} resource(s)` : ""}`, now);
        break;
      case "extract": {
        const p = e.progress;
        const r = m.resources.get(p.resource) ?? { items: 0, pages: 0, startedAt: m.extractStartedAt ?? now };
        const wasDone = r.doneAt !== undefined;
        r.items = p.items;
        r.pages = p.pages;
        if (p.done && !wasDone) r.doneAt = now;
        m.resources.set(p.resource, r);
        if (p.done && !wasDone) this.plain(ProgressModel.resourceDoneText(p.resource, r), now);
        else this.plainStatus(now);
        break;
      }
      case "normalize":
        if (e.rows) this.normalized.set(e.loadId, e.rows);
        break;
      case "load":
        if (e.table !== undefined) {
          this.loadTables.add(e.table);
          if (m.current) m.current.detail = `${this.loadTables.size} table(s) staged, now ${e.table}`;
        }
        break;
      case "end": {
        const line = {
          of: e.of,
          loadId: e.loadId,
          seconds: e.seconds,
          failed: e.failed === true,
          summary: this.summary(e.of, e.loadId),
        };
        m.steps.push(line);
        m.current = undefined;
        this.plain(ProgressModel.stepText(line), now);
        break;
      }
    }
    this.render(now);
  };

  private summary(of: "extract" | "normalize" | "load", loadId: string): string {
    const n = (x: number) => x.toLocaleString("en-US");
    if (of === "extract") {
      const m = this.model;
      return `${n(m.items)} items in ${n(m.pages)} pages from ${m.resourceTotal} resource(s)`;
    }
    if (of === "normalize") {
      const rows = this.normalized.get(loadId) ?? {};
      const total = Object.values(rows).reduce((a, b) => a + b, 0);
      return `${n(total)} rows in ${Object.keys(rows).length} tables`;
    }
    return this.loadTables.size > 0 ? `${this.loadTables.size} table(s)` : "";
  }

  /** A plain line, prefixed with the time since the run began. */
  private plain(text: string, now: number): void {
    if (this.mode !== "plain") return;
    this.lastPlain = now;
    this.stream.write(`[${formatDuration((now - this.model.runStartedAt) / 1000)}] ${text}\n`);
  }

  /** The headline, when nothing was printed for a while (long extracts, big loads). */
  private plainStatus(now: number): void {
    if (this.mode === "plain" && this.model.current && now - this.lastPlain >= PLAIN_EVERY_MS) {
      this.plain(this.model.headline(now), now);
    }
  }

  /** The live view's lines: finished steps, the step in flight, and its resources. */
  liveText(now: number): string {
    // listr2 cuts output lines to stdout's width (80 when stdout is not a terminal) less its
    // indentation; cutting them here first keeps the ellipsis ours and the columns aligned.
    const width = Math.max(1, Math.min(this.stream.columns ?? 0, this.stdout.columns ?? 80) - 6);
    const m = this.model;
    const lines = m.steps.map((s) => fit(ProgressModel.stepText(s), width));
    if (m.current) {
      lines.push(fit(m.headline(now), width));
      if (m.current.of === "extract") {
        const rows = m.resourceRows(now);
        const shown = rows.slice(0, MAX_LIVE_ROWS);
        lines.push(...alignRows(shown, width - 2).map((l) => `  ${l}`));
        if (rows.length > shown.length) lines.push(`  ... and ${rows.length - shown.length} more resources`);
      }
    }
    return lines.join("\n");
  }

  private render(now: number): void {
    this.update?.(this.liveText(now));
  }

  /** Run `work` under the display. */
  async wrap<T>(title: string, work: () => Promise<T>): Promise<T> {
    if (this.mode === "off") return work();
    if (this.mode === "plain") return this.wrapPlain(title, work);
    let result: T | undefined;
    const output = new ProcessOutput(process.stderr, process.stderr);
    const tasks = new Listr(
      [
        {
          title,
          task: async (_ctx, task) => {
            this.update = (text) => {
              task.output = text;
            };
            // The spinner redraws the task; this keeps elapsed times and rates moving between events.
            const tick = setInterval(() => {
              this.render(this.clock());
            }, 1000);
            try {
              result = await work();
            } finally {
              clearInterval(tick);
              this.update = undefined;
            }
            task.title = `${title}: done in ${formatDuration((this.clock() - this.model.runStartedAt) / 1000)}`;
            task.output = this.liveText(this.clock());
          },
          rendererOptions: { outputBar: Infinity, persistentOutput: true },
        },
      ],
      {
        renderer: StderrRenderer,
        rendererOptions: { collapseErrors: true, formatOutput: "truncate", logger: new ListrLogger({ processOutput: output }) },
        exitOnError: true,
        registerSignalListeners: false,
      },
    );
    await tasks.run();
    return result as T;
  }

  private async wrapPlain<T>(title: string, work: () => Promise<T>): Promise<T> {
    this.plain(`${title}: run started`, this.clock());
    const timer = setInterval(() => {
      this.plainStatus(this.clock());
    }, PLAIN_EVERY_MS);
    timer.unref();
    try {
      const out = await work();
      this.plain(`${title}: done in ${formatDuration((this.clock() - this.model.runStartedAt) / 1000)}`, this.clock());
      return out;
    } catch (err) {
      this.plain(`${title}: failed`, this.clock());
      throw err;
    } finally {
      clearInterval(timer);
    }
  }
}
