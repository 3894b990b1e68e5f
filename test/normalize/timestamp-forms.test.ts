import { describe, expect, it } from "vitest";
import { resource } from "../../src/extract/index.js";
import { parseDate, parseTimestamp } from "../../src/normalize/coerce.js";
import { duckPipeline, tempDir } from "../helpers/tmp-pipeline.js";

const dir = tempDir("sp-ts-forms-");

describe("ISO timestamps without seconds or with a lower-case z", () => {
  it("are written in the canonical form (seconds, upper-case Z)", () => {
    expect(parseTimestamp("2024-01-01T10:00+02:00")).toBe("2024-01-01T10:00:00+02:00");
    expect(parseTimestamp("2024-01-01T10:00:00z")).toBe("2024-01-01T10:00:00Z");
    expect(parseTimestamp("2024-01-01T10:00:00.123456789z")).toBe("2024-01-01T10:00:00.123456Z");
    expect(parseTimestamp("2024-01-01 10:00")).toBe("2024-01-01 10:00:00");
    expect(parseTimestamp("2024-01-01T10:00:00.5+0200")).toBe("2024-01-01T10:00:00.5+0200");
  });

  it("in the plain UTC form are checked by character as strictly as the full grammar (real days, hours, minutes, seconds)", () => {
    for (const s of ["2024-02-29T23:59:59Z", "0000-01-01 00:00:00Z", "2024-12-31T10:00:00Z"]) expect(parseTimestamp(s)).toBe(s);
    for (const s of ["2023-02-29T10:00:00Z", "2024-04-31T10:00:00Z", "2024-13-01T10:00:00Z", "2024-01-01T24:00:00Z"]) {
      expect(parseTimestamp(s)).toBeUndefined();
    }
    for (const s of ["2024-01-01T10:60:00Z", "2024-01-01T10:00:60Z", "2024-01-01t10:00:00Z", "2024-01-01T10:00:0٣Z"]) {
      expect(parseTimestamp(s)).toBeUndefined();
    }
    expect(parseDate("2024-02-29")).toBe("2024-02-29");
    for (const s of ["2023-02-29", "2024-00-10", "2024-01-00", "2024-1-010", "202٣-01-01"]) expect(parseDate(s)).toBeUndefined();
  });

  it("load into DuckDB as the same instants (the whole load failed on them before)", async () => {
    const p = duckPipeline(dir, { pipelineName: "tsforms" });
    await p.run(
      resource(
        () => [
          [
            { id: 1, happened_at: "2024-01-01T10:00+02:00" },
            { id: 2, happened_at: "2024-01-01T10:00:00z" },
          ],
        ],
        { name: "events", columns: { happened_at: { dataType: "timestamp" } } },
      ),
    );
    const rows = await p
      .dataset()
      .sql("select id, strftime(happened_at, '%Y-%m-%dT%H:%M:%S') as at_utc from events order by id")
      .rows();
    expect(rows).toEqual([
      { id: 1, at_utc: "2024-01-01T08:00:00" },
      { id: 2, at_utc: "2024-01-01T10:00:00" },
    ]);
  });
});
