// Signing a request exactly as hub/porchlight_hub/signing.py verifies it: Ed25519 over
// the RFC 8785 canonical JSON of {case_number, incident_type, description, contact,
// window_start, window_end, area: {latitude, longitude, radius_m}, agency_id, nonce},
// each value as sent; the signature in standard padded base64.
import { buffer, toBase64, toBase64Url } from "./bytes.js";
import { canonicalBytes } from "./canonical.js";
import type { RequestTerms } from "./types.js";

export interface SignedObject extends RequestTerms {
  agency_id: string;
  nonce: string;
}

/** 24 random bytes, base64url: 32 characters, as signing.new_nonce makes them. */
export function newNonce(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(24)));
}

export function signedObject(terms: RequestTerms, agencyId: string, nonce: string): SignedObject {
  return {
    case_number: terms.case_number,
    incident_type: terms.incident_type,
    description: terms.description,
    contact: terms.contact,
    window_start: terms.window_start,
    window_end: terms.window_end,
    area: { latitude: terms.area.latitude, longitude: terms.area.longitude, radius_m: terms.area.radius_m },
    agency_id: agencyId,
    nonce,
  };
}

export async function sign(key: CryptoKey, obj: unknown): Promise<string> {
  const signature = await crypto.subtle.sign({ name: "Ed25519" }, key, buffer(canonicalBytes(obj)));
  return toBase64(new Uint8Array(signature));
}

/** The body to POST: the terms, the nonce and the signature over them. */
export async function signRequest(
  key: CryptoKey,
  terms: RequestTerms,
  agencyId: string,
  nonce = newNonce(),
): Promise<RequestTerms & { nonce: string; signature: string }> {
  const signature = await sign(key, signedObject(terms, agencyId, nonce));
  return { ...terms, nonce, signature };
}
