// The fixtures the hub's own Python wrote (fixtures/make_fixtures.py).
import data from "./fixtures/hub-fixtures.json";

export const fixtures = data;

export function bytesOfBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
