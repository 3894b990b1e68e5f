import { describe, expect, it } from "vitest";
import { formatTrace } from "../../src/cli/trace-format.js";

describe("pipeline X trace: the extract's requests and skips", () => {
  it("prints the requests with their 429s, retries and failures, and each skipped part with why", () => {
    const text = formatTrace({
      pipelineName: "p",
      startedAt: "2026-12-02T05:00:00.000Z",
      finishedAt: "2026-12-02T05:00:10.000Z",
      steps: [
        {
          step: "extract",
          loadId: "1.0",
          startedAt: "2026-12-02T05:00:00.000Z",
          finishedAt: "2026-12-02T05:00:05.000Z",
          rows: { contacts: 1200 },
          requests: { requests: 1312, throttled: 2, retries: 2, failed: 1, responses: {}, byResource: {}, shared: {} },
          skipped: [{ resource: "stock_items", label: 'business "Harbour & Pine Ltd" (b2)', reason: "not available (404)" }],
        },
        { step: "load", startedAt: "2026-12-02T05:00:05.000Z", finishedAt: "2026-12-02T05:00:10.000Z" },
      ],
    });
    expect(text).toContain("\n  1,312 HTTP request(s) (2 answered 429, 2 retried, 1 failed)\n");
    expect(text).toContain('\n  skipped stock_items for business "Harbour & Pine Ltd" (b2): not available (404)\n');
    // A step without counts (an older trace, a load) prints no request line.
    expect(text.match(/HTTP request/g)).toHaveLength(1);
  });

  it("says nothing more for a clean extract than its request count", () => {
    const text = formatTrace({
      steps: [
        {
          step: "extract",
          startedAt: "2026-12-02T05:00:00.000Z",
          requests: { requests: 3, throttled: 0, retries: 0, failed: 0 },
        },
      ],
    });
    expect(text).toContain("\n  3 HTTP request(s)");
    expect(text).not.toContain("429");
  });
});
