import { describe, expect, it } from "vitest";
import { CanonicalizationError, canonicalBytes, canonicalJson } from "../src/canonical.js";
import { fixtures } from "./fixtures.js";

describe("RFC 8785 canonical JSON", () => {
  it.each(fixtures.canonical.map((v) => [v.input.slice(0, 60), v]))("matches Python's rfc8785 for %s", (_name, vector) => {
    expect(canonicalJson(JSON.parse(vector.input))).toBe(vector.canonical);
  });

  it("gives the hub's signed bytes for the fixture request", () => {
    const bytes = canonicalBytes(fixtures.signed.signed_object);
    expect(new TextDecoder().decode(bytes)).toBe(fixtures.signed.canonical);
  });

  it("refuses what JSON cannot say", () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(CanonicalizationError);
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(CanonicalizationError);
    expect(() => canonicalJson("\ud800 lone")).toThrow(CanonicalizationError);
    expect(() => canonicalJson({ "\udc00": 1 })).toThrow(CanonicalizationError);
    expect(() => canonicalJson(() => 1)).toThrow(CanonicalizationError);
  });

  it("keeps a well-formed surrogate pair and drops undefined members", () => {
    expect(canonicalJson({ b: "\ud83d\ude00", a: undefined })).toBe('{"b":"😀"}');
  });
});
