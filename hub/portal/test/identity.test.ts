import { describe, expect, it } from "vitest";
import { IdentityFileError, importIdentity, parseIdentityFile, SIGNING_PREFIX } from "../src/identity.js";
import { fixtures } from "./fixtures.js";

const registered = { agency_recipient: fixtures.recipient, agency_signing_key: fixtures.signing_key };
const file = fixtures.identity_file;

describe("the identity file", () => {
  it("parses porchlight-agency keygen's file", () => {
    const parsed = parseIdentityFile(file);
    expect(parsed.ageIdentity.startsWith("AGE-SECRET-KEY-1")).toBe(true);
    expect(parsed.ageSecret).toHaveLength(32);
    expect(parsed.signingSeed).toHaveLength(32);
  });

  it("takes Windows line ends", () => {
    expect(parseIdentityFile(file.replace(/\n/g, "\r\n")).signingSeed).toHaveLength(32);
  });

  it.each([
    ["no signing key", file.split("\n").filter((l) => !l.startsWith(SIGNING_PREFIX)).join("\n"), /exactly one age identity and one signing key/],
    ["two identities", `${file}\n${file.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"))}`, /exactly one/],
    ["a typo in the identity", file.replace(/(AGE-SECRET-KEY-1.{10})./, (_m, head: string) => `${head}${head.endsWith("Q") ? "P" : "Q"}`), /checksum|Bech32/],
    ["a short seed", file.replace(/(# porchlight-signing-secret-key: ).*/, "$1AAAA"), /32 bytes, not 3/],
    ["a seed that is not base64", file.replace(/(# porchlight-signing-secret-key: ).*/, "$1!!!notbase64"), /not standard base64/],
    ["a lower-case identity", file.replace(/AGE-SECRET-KEY-1.*/, (m) => m.toLowerCase()), /upper case/],
    ["an empty file", "", /exactly one/],
    ["an age public key only", `${SIGNING_PREFIX}${btoa("x".repeat(32))}\n${fixtures.recipient}`, /AGE-SECRET-KEY-1/],
  ])("refuses %s", (_name, text, message) => {
    expect(() => parseIdentityFile(text)).toThrow(IdentityFileError);
    expect(() => parseIdentityFile(text)).toThrow(message);
  });

  it("imports both keys non-extractable when they are the agency's", async () => {
    const keys = await importIdentity(file, registered);
    expect(keys.recipient).toBe(fixtures.recipient);
    expect(keys.signing.extractable).toBe(false);
    expect(keys.age.extractable).toBe(false);
    expect(keys.signing.usages).toEqual(["sign"]);
    expect(keys.age.usages).toEqual(["deriveBits"]);
    await expect(crypto.subtle.exportKey("pkcs8", keys.signing)).rejects.toThrow();
    await expect(crypto.subtle.exportKey("pkcs8", keys.age)).rejects.toThrow();
  });

  it("refuses a file whose age key the hub does not hold", async () => {
    await expect(importIdentity(file, { ...registered, agency_recipient: fixtures.other_recipient })).rejects.toThrow(
      /not this agency's: its age public key is age1.*the hub holds age1/,
    );
  });

  it("refuses a file whose signing key the hub does not hold", async () => {
    const error = await importIdentity(file, { ...registered, agency_signing_key: fixtures.other_signing_key }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityFileError);
    expect(String(error)).toContain("its signing key is not the one the hub holds");
    expect(String(error)).not.toContain("its age public key");
  });
});
