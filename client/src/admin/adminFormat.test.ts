import { describe, expect, it } from "vitest";
import { ageText, detailText, localInputToIso, uptimeText } from "./adminFormat.ts";
import { auditQuery } from "./adminApi.ts";

describe("operator page wording", () => {
  it("uptime, heartbeat age and detail", () => {
    expect(uptimeText(45)).toBe("45 s");
    expect(uptimeText(12 * 60 + 5)).toBe("12 min");
    expect(uptimeText(3 * 3600 + 5 * 60)).toBe("3 h 05 min");
    expect(uptimeText(2 * 86400 + 4 * 3600)).toBe("2 d 4 h");
    expect(uptimeText(null)).toBe("–");
    expect(ageText(120.4)).toBe("120 ms");
    expect(ageText(2500)).toBe("2.5 s");
    expect(ageText(null)).toBe("–");
    expect(detailText({ reason: "x" })).toBe('{"reason":"x"}');
    expect(detailText("a".repeat(200), 10)).toHaveLength(10);
  });

  it("audit filters: empty ones left out, local times as ISO instants", () => {
    expect(auditQuery({ kind: " auth.guest ", playerId: "", gameId: undefined, limit: 50 })).toBe("?kind=auth.guest&limit=50");
    expect(auditQuery({})).toBe("");
    expect(localInputToIso("")).toBeUndefined();
    expect(localInputToIso("not a date")).toBeUndefined();
    expect(localInputToIso("2026-12-01T19:00:00")).toBe(new Date(2026, 11, 1, 19, 0, 0).toISOString());
  });
});
