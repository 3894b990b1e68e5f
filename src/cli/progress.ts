import { Listr } from "listr2";
import type { ProgressEvent } from "../pipeline/pipeline.js";

/**
 * Progress of a run on stderr: a live spinner line on a terminal (listr2), and a throttled
 * plain line every few seconds otherwise (CI logs, pipes), so stdout stays for results.
 */
export class RunProgress {
  private items = new Map<string, number>();
  private done = new Set<string>();
  private step = "starting";
  private lastLine = 0;
  private update: ((text: string) => void) | undefined;

  constructor(private readonly enabled: boolean) {}

  onEvent = (e: ProgressEvent): void => {
    if (e.step === "extract") {
      this.step = "extract";
      this.items.set(e.progress.resource, e.progress.items);
      if (e.progress.done) this.done.add(e.progress.resource);
    } else if (e.step === "normalize") {
      this.step = `normalize ${e.loadId}`;
    } else {
      this.step = e.done ? `loaded ${e.loadId}` : `load ${e.loadId}${e.table ? `: ${e.table}` : ""}`;
    }
    this.render();
  };

  private text(): string {
    const total = [...this.items.values()].reduce((a, b) => a + b, 0);
    const res = this.items.size;
    return this.step === "extract"
      ? `extract: ${total.toLocaleString("en-US")} items from ${res} resource(s), ${this.done.size} done`
      : this.step;
  }

  private render(): void {
    if (!this.enabled) return;
    if (this.update) {
      this.update(this.text());
      return;
    }
    const now = Date.now();
    if (now - this.lastLine > 3000) {
      this.lastLine = now;
      process.stderr.write(`${this.text()}\n`);
    }
  }

  /** Run `work` under the display. */
  async wrap<T>(title: string, work: () => Promise<T>): Promise<T> {
    if (!this.enabled || !process.stderr.isTTY) return work();
    let result: T | undefined;
    const tasks = new Listr(
      [
        {
          title,
          task: async (_ctx, task) => {
            this.update = (text) => {
              task.output = text;
            };
            result = await work();
            task.title = `${title}: done`;
          },
        },
      ],
      { rendererOptions: { collapseErrors: true }, exitOnError: true, registerSignalListeners: false },
    );
    await tasks.run();
    this.update = undefined;
    return result as T;
  }
}
