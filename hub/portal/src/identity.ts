// The agency's identity file, as `porchlight-agency keygen` writes it
// (hub/porchlight_hub/agency_keys.py): an age identity file (comment lines start with
// "#") whose comment "# porchlight-signing-secret-key: <base64 seed>" carries the
// Ed25519 signing seed. Both secrets become NON-EXTRACTABLE WebCrypto keys at once;
// the text is dropped. The public halves are checked against what the hub registered
// for the agency, without ever exporting a private key:
//   - X25519: the public key is the scalar multiple of the base point, which
//     age-encryption's identityToRecipient computes with deriveBits;
//   - Ed25519: the imported key signs a random challenge, which must verify under the
//     registered public key.
import { identityToRecipient } from "age-encryption";
import { buffer, fromBase64 } from "./bytes.js";

export const SIGNING_PREFIX = "# porchlight-signing-secret-key: ";

export class IdentityFileError extends Error {
  override name = "IdentityFileError";
}

export interface ParsedIdentity {
  ageIdentity: string;
  ageSecret: Uint8Array;
  signingSeed: Uint8Array;
}

export interface AgencyKeys {
  /** Ed25519 private key, usages ["sign"], not extractable. */
  signing: CryptoKey;
  /** X25519 private key, usages ["deriveBits"], not extractable. */
  age: CryptoKey;
  recipient: string;
  signingKey: string;
}

// --- Bech32 (BIP 173 without its length limit, as age uses it) ---------------------

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = (((chk & 0x1ffffff) << 5) ^ v) >>> 0;
    GENERATOR.forEach((g, i) => {
      if ((top >>> i) & 1) chk = (chk ^ g) >>> 0;
    });
  }
  return chk;
}

function hrpExpand(hrp: string): number[] {
  const codes = [...hrp].map((c) => c.charCodeAt(0));
  return [...codes.map((c) => c >> 5), 0, ...codes.map((c) => c & 31)];
}

/** The 32 bytes of an age Bech32 key with this prefix (case as age writes it). */
export function bech32Decode(text: string, hrp: string): Uint8Array {
  const lower = text.toLowerCase();
  const sep = lower.lastIndexOf("1");
  if (lower.slice(0, sep) !== hrp.toLowerCase() || lower.length - sep - 1 < 6) {
    throw new IdentityFileError(`An age key here starts with "${hrp}1".`);
  }
  const words: number[] = [];
  for (const c of lower.slice(sep + 1)) {
    const w = CHARSET.indexOf(c);
    if (w < 0) throw new IdentityFileError("The age identity has characters Bech32 does not use.");
    words.push(w);
  }
  if (polymod([...hrpExpand(lower.slice(0, sep)), ...words]) !== 1) {
    throw new IdentityFileError("The age identity has a wrong checksum (a typo, or a damaged file?).");
  }
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const w of words.slice(0, -6)) {
    acc = ((acc << 5) | w) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc << (8 - bits)) & 0xff) throw new IdentityFileError("The age identity's padding is not canonical.");
  if (out.length !== 32) throw new IdentityFileError(`An age identity holds 32 bytes, not ${out.length}.`);
  return Uint8Array.from(out);
}

// --- The file ------------------------------------------------------------------------

/** The file's two secrets; IdentityFileError with the reason when it is not one. */
export function parseIdentityFile(text: string): ParsedIdentity {
  const lines = text.split(/\r?\n/);
  const seeds = lines.filter((l) => l.startsWith(SIGNING_PREFIX)).map((l) => l.slice(SIGNING_PREFIX.length).trim());
  const identities = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (identities.length !== 1 || seeds.length !== 1) {
    throw new IdentityFileError(
      "An agency identity file holds exactly one age identity and one signing key (made by `porchlight-agency keygen`).",
    );
  }
  const ageIdentity = identities[0]!;
  if (ageIdentity !== ageIdentity.toUpperCase() || !ageIdentity.startsWith("AGE-SECRET-KEY-1")) {
    throw new IdentityFileError("The age identity must be an AGE-SECRET-KEY-1… line, in upper case.");
  }
  const ageSecret = bech32Decode(ageIdentity, "AGE-SECRET-KEY-");
  const signingSeed = fromBase64(seeds[0]!);
  if (signingSeed === null) throw new IdentityFileError("The signing secret key is not standard base64.");
  if (signingSeed.length !== 32) {
    throw new IdentityFileError(`The signing secret key must decode to 32 bytes, not ${signingSeed.length}.`);
  }
  return { ageIdentity, ageSecret, signingSeed };
}

// PKCS#8 wrappers of a raw 32-byte private key (RFC 8410).
const ED25519_PKCS8 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const X25519_PKCS8 = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

function pkcs8(prefix: Uint8Array, raw: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(prefix.length + raw.length);
  out.set(prefix);
  out.set(raw, prefix.length);
  return buffer(out);
}

export function importSigningKey(seed: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", pkcs8(ED25519_PKCS8, seed), { name: "Ed25519" }, false, ["sign"]);
}

export function importAgeKey(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", pkcs8(X25519_PKCS8, secret), { name: "X25519" }, false, ["deriveBits"]);
}

/** Whether the private signing key belongs to this base64 public key. */
export async function signingKeyMatches(key: CryptoKey, publicKey: string): Promise<boolean> {
  const raw = fromBase64(publicKey);
  if (raw === null || raw.length !== 32) return false;
  const pub = await crypto.subtle.importKey("raw", buffer(raw), { name: "Ed25519" }, false, ["verify"]);
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const signature = await crypto.subtle.sign({ name: "Ed25519" }, key, buffer(challenge));
  return crypto.subtle.verify({ name: "Ed25519" }, pub, signature, buffer(challenge));
}

/**
 * The file's keys, non-extractable, once they are seen to be the ones the hub holds for
 * this agency; IdentityFileError saying what differs otherwise.
 */
export async function importIdentity(
  text: string,
  registered: { agency_recipient: string; agency_signing_key: string },
): Promise<AgencyKeys> {
  const parsed = parseIdentityFile(text);
  try {
    const age = await importAgeKey(parsed.ageSecret);
    const signing = await importSigningKey(parsed.signingSeed);
    const recipient = await identityToRecipient(age);
    const problems: string[] = [];
    if (recipient !== registered.agency_recipient) {
      problems.push(`its age public key is ${recipient}, the hub holds ${registered.agency_recipient}`);
    }
    if (!(await signingKeyMatches(signing, registered.agency_signing_key))) {
      problems.push(`its signing key is not the one the hub holds (${registered.agency_signing_key})`);
    }
    if (problems.length) {
      throw new IdentityFileError(
        `This identity file is not this agency's: ${problems.join("; ")}. Use the file made when the agency was registered, or ask the hub's operator to register this file's keys (porchlight-hub agency rotate-keys).`,
      );
    }
    return { signing, age, recipient, signingKey: registered.agency_signing_key };
  } finally {
    parsed.ageSecret.fill(0);
    parsed.signingSeed.fill(0);
  }
}
