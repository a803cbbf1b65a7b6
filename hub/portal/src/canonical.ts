// RFC 8785 (JSON Canonicalization Scheme): the bytes an agency signs (DESIGN.md §2.5,
// hub/porchlight_hub/signing.py, which uses Python's rfc8785 package).
//   - object members sorted by their names' UTF-16 code units (what Array.sort does);
//   - strings as ECMAScript's JSON.stringify writes them (RFC 8785 §3.2.2.2 is exactly
//     that escaping), lone surrogates refused;
//   - numbers as ECMAScript's Number-to-string (§3.2.2.3), non-finite refused;
//   - no whitespace.

export class CanonicalizationError extends Error {
  override name = "CanonicalizationError";
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function str(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalizationError("a string holds a lone surrogate");
  return JSON.stringify(value);
}

export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalizationError(`${value} is not a JSON number`);
      return JSON.stringify(value); // -0 -> "0", shortest round-trip form otherwise
    case "string":
      return str(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${str(k)}:${canonicalJson(record[k])}`).join(",")}}`;
    }
    default:
      throw new CanonicalizationError(`a ${typeof value} has no JSON form`);
  }
}

/** The UTF-8 bytes of the canonical form. */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}
