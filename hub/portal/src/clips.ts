// Opening a shared clip: the sealed bytes must hash to the manifest's sha256 (and to
// the hub's X-Content-SHA256), decrypt with the agency's age key, and the plaintext
// must hash to the home's plaintext_sha256. Anything else is refused, not shown.
import { Decrypter } from "age-encryption";
import { sha256Hex } from "./bytes.js";
import type { SharedClip } from "./types.js";

export const SEALED = "application/age";

export class ClipError extends Error {
  override name = "ClipError";
}

export interface OpenedClip {
  bytes: Uint8Array;
  contentType: string;
  sha256: string;
}

export async function openClip(
  clip: SharedClip,
  sealed: Uint8Array,
  announced: string | null,
  ageKey: CryptoKey | null,
): Promise<OpenedClip> {
  const got = await sha256Hex(sealed);
  if (got !== clip.sha256 || (announced && announced !== got)) {
    throw new ClipError(`The downloaded bytes have sha256 ${got}, not the listed ${clip.sha256}: not opened.`);
  }
  if (clip.content_type !== SEALED) {
    return { bytes: sealed, contentType: clip.content_type, sha256: got };
  }
  if (!ageKey) throw new ClipError("Import the agency's identity file to open sealed clips.");
  const decrypter = new Decrypter();
  decrypter.addIdentity(ageKey);
  let plain: Uint8Array;
  try {
    plain = await decrypter.decrypt(sealed);
  } catch (err) {
    throw new ClipError(`The clip does not decrypt with this agency's key: ${err instanceof Error ? err.message : String(err)}`);
  }
  const actual = await sha256Hex(plain);
  if (actual !== clip.plaintext_sha256) {
    throw new ClipError(
      `The decrypted clip has sha256 ${actual}, but the home announced ${clip.plaintext_sha256 ?? "none"}: altered or mislabelled, not shown.`,
    );
  }
  return { bytes: plain, contentType: clip.inner_content_type ?? "application/octet-stream", sha256: actual };
}

export function extensionOf(contentType: string): string {
  return { "video/mp4": ".mp4", "image/jpeg": ".jpg" }[contentType] ?? ".bin";
}
