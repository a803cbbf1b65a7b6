import { describe, expect, it } from "vitest";
import { buffer } from "../src/bytes.js";
import { canonicalBytes } from "../src/canonical.js";
import { importIdentity } from "../src/identity.js";
import { newNonce, signedObject, signRequest } from "../src/signing.js";
import type { RequestTerms } from "../src/types.js";
import { bytesOfBase64, fixtures } from "./fixtures.js";

const registered = { agency_recipient: fixtures.recipient, agency_signing_key: fixtures.signing_key };
const { nonce, ...terms } = fixtures.signed.body as RequestTerms & { nonce: string };

describe("signing a request", () => {
  it("builds the hub's signed object", () => {
    expect(signedObject(terms, fixtures.signed.agency_id, nonce)).toEqual(fixtures.signed.signed_object);
  });

  it("gives the very signature Python's porchlight-agency gives (Ed25519 is deterministic)", async () => {
    const keys = await importIdentity(fixtures.identity_file, registered);
    const body = await signRequest(keys.signing, terms, fixtures.signed.agency_id, nonce);
    expect(body.signature).toBe(fixtures.signed.signature);
    expect(body.nonce).toBe(nonce);
    expect(body.case_number).toBe(terms.case_number);
  });

  it("signs what the agency's public key verifies, with a fresh nonce each time", async () => {
    const keys = await importIdentity(fixtures.identity_file, registered);
    const body = await signRequest(keys.signing, terms, fixtures.signed.agency_id);
    expect(body.nonce).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const pub = await crypto.subtle.importKey("raw", buffer(bytesOfBase64(fixtures.signing_key)), { name: "Ed25519" }, false, ["verify"]);
    const signed = canonicalBytes(signedObject(terms, fixtures.signed.agency_id, body.nonce));
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, pub, buffer(bytesOfBase64(body.signature)), buffer(signed));
    expect(ok).toBe(true);
    const other = canonicalBytes(signedObject({ ...terms, case_number: "2026-0043" }, fixtures.signed.agency_id, body.nonce));
    expect(await crypto.subtle.verify({ name: "Ed25519" }, pub, buffer(bytesOfBase64(body.signature)), buffer(other))).toBe(false);
  });

  it("makes nonces the hub accepts and never repeats", () => {
    const seen = new Set(Array.from({ length: 200 }, newNonce));
    expect(seen.size).toBe(200);
    for (const n of seen) expect(n).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
  });
});
