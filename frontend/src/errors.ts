// Turns whatever a WebSocket call or service rejected with into one line of text.
// Service errors carry HA's translated `message`: it is shown as is (the contract).
import { strings } from "./strings";

/** home-assistant-js-websocket's numeric codes for a dropped connection. */
const CONNECTION_CODES = new Set([1, 3]);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  error?: unknown;
}

function isObject(value: unknown): value is ErrorLike {
  return typeof value === "object" && value !== null;
}

export function errorMessage(error: unknown): string {
  if (typeof error === "string") return error.trim() || strings.errorUnknown;
  if (!isObject(error)) return strings.errorUnknown;
  // The library rejects a lost connection as {type: "result", success: false, error: {...}}.
  if (isObject(error.error) && !("message" in error && typeof error.message === "string")) {
    return errorMessage(error.error);
  }
  if (typeof error.code === "number" && CONNECTION_CODES.has(error.code)) {
    return strings.errorConnectionLost;
  }
  if (typeof error.message === "string" && error.message.trim()) return error.message.trim();
  if (typeof error.code === "string" && error.code) return strings.errorWithCode(error.code);
  return strings.errorUnknown;
}
