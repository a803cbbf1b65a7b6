import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/bytes.js";
import { ClipError, openClip } from "../src/clips.js";
import { importAgeKey, importIdentity } from "../src/identity.js";
import type { SharedClip } from "../src/types.js";
import { bytesOfBase64, fixtures } from "./fixtures.js";

const registered = { agency_recipient: fixtures.recipient, agency_signing_key: fixtures.signing_key };
const sealed = bytesOfBase64(fixtures.sealed.ciphertext_base64);
const clip: SharedClip = {
  id: "clp_1",
  camera: "Front door",
  start: "2026-11-30T09:10:00Z",
  end: "2026-11-30T09:10:00Z",
  content_type: "application/age",
  inner_content_type: fixtures.sealed.inner_content_type,
  plaintext_sha256: fixtures.sealed.plaintext_sha256,
  size: sealed.length,
  sha256: fixtures.sealed.sha256,
  available: true,
  url: "/api/v1/agency/clips/clp_1",
};

describe("opening a clip sealed by the hub's agecrypt", () => {
  it("decrypts to the home's bytes with the non-extractable key", async () => {
    const keys = await importIdentity(fixtures.identity_file, registered);
    const opened = await openClip(clip, sealed, fixtures.sealed.sha256, keys.age);
    expect(opened.bytes).toHaveLength(fixtures.sealed.plaintext_size);
    expect(await sha256Hex(opened.bytes)).toBe(fixtures.sealed.plaintext_sha256);
    expect(opened.contentType).toBe("image/jpeg");
  });

  it("refuses bytes that are not the listed ciphertext", async () => {
    const keys = await importIdentity(fixtures.identity_file, registered);
    const altered = sealed.slice();
    altered[altered.length - 1]! ^= 1;
    await expect(openClip(clip, altered, null, keys.age)).rejects.toThrow(/not the listed/);
    await expect(openClip(clip, sealed, "0".repeat(64), keys.age)).rejects.toThrow(ClipError);
  });

  it("refuses a plaintext that is not what the home announced", async () => {
    const keys = await importIdentity(fixtures.identity_file, registered);
    await expect(openClip({ ...clip, plaintext_sha256: "f".repeat(64) }, sealed, null, keys.age)).rejects.toThrow(
      /altered or mislabelled/,
    );
  });

  it("says so when the key is another agency's, or missing", async () => {
    const other = await importAgeKey(crypto.getRandomValues(new Uint8Array(32)));
    await expect(openClip(clip, sealed, null, other)).rejects.toThrow(/does not decrypt/);
    await expect(openClip(clip, sealed, null, null)).rejects.toThrow(/Import the agency's identity file/);
  });

  it("passes an unsealed clip through after its sha256 check", async () => {
    const plain = new TextEncoder().encode("jpeg");
    const opened = await openClip({ ...clip, content_type: "image/jpeg", sha256: await sha256Hex(plain) }, plain, null, null);
    expect(opened.contentType).toBe("image/jpeg");
  });
});
