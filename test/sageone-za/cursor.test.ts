import { describe, expect, it } from "vitest";
import { ModifiedCursor } from "../../src/sageone-za/index.js";
import { formatServerTime, parseServerTime } from "../../src/sageone-za/modified-cursor.js";

describe("ModifiedCursor", () => {
  it("reads Sage's zone-less stamps and writes whole seconds, rounded down", () => {
    expect(parseServerTime("2024-03-05T10:22:31.117")).toBe(Date.UTC(2024, 2, 5, 10, 22, 31, 117));
    expect(parseServerTime("2024-03-05T10:22:31.1234567")).toBe(Date.UTC(2024, 2, 5, 10, 22, 31, 123));
    expect(parseServerTime("2024-03-05T10:22")).toBe(Date.UTC(2024, 2, 5, 10, 22));
    for (const bad of ["", "yesterday", "2024-03-05", 17, null, "2024-03-05T10:22:31Z"])
      expect(parseServerTime(bad)).toBeUndefined();
    expect(formatServerTime(Date.UTC(2024, 2, 5, 10, 22, 31, 999))).toBe("2024-03-05T10:22:31");
  });

  it("first run: no filter; next cursor = newest Modified - run duration - overlap", () => {
    const c = new ModifiedCursor(undefined);
    expect(c.filter()).toBeUndefined();
    expect(c.next(5000, 600_000)).toBeUndefined();
    for (const m of ["2024-03-05T10:22:31.117", "2024-03-06T08:00:00.500", undefined, "garbage"]) c.see(m);
    // 08:00:00.500 - 5 s - 10 min
    expect(c.next(5000, 600_000)).toBe("2024-03-06T07:49:55");
  });

  it("later runs filter inclusively on the stored cursor, keep it when nothing changed, and never move it back", () => {
    const c = new ModifiedCursor("2024-03-06T07:49:55");
    expect(c.filter()).toBe("Modified ge datetime'2024-03-06T07:49:55'");
    expect(c.next(1000, 600_000)).toBe("2024-03-06T07:49:55");
    c.see("2024-03-06T07:55:00.000"); // an overlap row: newest - overlap falls before the stored cursor
    expect(c.next(1000, 600_000)).toBe("2024-03-06T07:49:55");
    c.see("2024-03-07T12:00:00.000");
    expect(c.next(60_000, 600_000)).toBe("2024-03-07T11:49:00");
  });
});
