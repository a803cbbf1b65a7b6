// Test helpers: a fake HA connection that records every message, contract-shaped
// fixtures, and waiting / querying through shadow roots.
import type {
  HassConnection,
  Hass,
  LedgerEntry,
  LedgerResult,
  RequestsResult,
  Share,
  SharesResult,
  SubscribeEvent,
  VideoRequest,
  Clip,
} from "../src/api";

type Message = Record<string, unknown>;
type Handler = (message: Message) => unknown;

export interface Subscription {
  callback: (event: SubscribeEvent) => void;
  message: Message;
  active: boolean;
}

/** Answers by message type ("service:<name>" for call_service); a thrown value rejects. */
export class FakeConnection implements HassConnection {
  readonly messages: Message[] = [];
  readonly subscriptions: Subscription[] = [];
  handlers: Record<string, Handler> = {};

  constructor(handlers: Record<string, Handler> = {}) {
    this.handlers = handlers;
  }

  sendMessagePromise<T>(message: Message): Promise<T> {
    this.messages.push(message);
    const key = message.type === "call_service" ? `service:${String(message.service)}` : String(message.type);
    const handler = this.handlers[key];
    if (!handler) return Promise.reject({ code: "unknown_command", message: `Unknown command ${key}.` });
    try {
      return Promise.resolve(handler(message) as T);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  subscribeMessage<T>(callback: (event: T) => void, message: Message): Promise<() => Promise<void>> {
    this.messages.push(message);
    const sub: Subscription = { callback: callback as (e: SubscribeEvent) => void, message, active: true };
    this.subscriptions.push(sub);
    return Promise.resolve(async () => {
      sub.active = false;
    });
  }

  readonly readyListeners = new Set<() => void>();

  addEventListener(event: "ready", listener: () => void): void {
    if (event === "ready") this.readyListeners.add(listener);
  }

  removeEventListener(event: "ready", listener: () => void): void {
    if (event === "ready") this.readyListeners.delete(listener);
  }

  /** The library's "ready" after a reconnect. */
  reconnect(): void {
    for (const l of [...this.readyListeners]) l();
  }

  emit(kind: SubscribeEvent["kind"]): void {
    for (const sub of this.subscriptions) if (sub.active) sub.callback({ kind });
  }

  sent(type: string): Message[] {
    return this.messages.filter((m) => m.type === type);
  }

  services(): Message[] {
    return this.sent("call_service");
  }

  clear(): void {
    this.messages.length = 0;
  }
}

export function makeHass(connection: HassConnection, extra: Partial<Hass> = {}): Hass {
  return {
    connection,
    language: "en-GB",
    locale: { language: "en-GB", time_zone: "server" },
    config: { time_zone: "Europe/London" },
    ...extra,
  };
}

export const NOW = Date.parse("2026-12-01T09:00:00+00:00");

export function clip(id: string, overrides: Partial<Clip> = {}): Clip {
  return {
    id,
    doorbell: "sub-front",
    doorbell_name: "Front door",
    start: "2026-12-01T07:10:00+00:00",
    end: "2026-12-01T07:10:10+00:00",
    kind: "video",
    content_type: "video/mp4",
    size: 2_000_000,
    url: `/api/porchlight/clips/abc/${id}?authSig=x`,
    ...overrides,
  };
}

export function request(id: string, overrides: Partial<VideoRequest> = {}): VideoRequest {
  return {
    id,
    agency: "Springfield PD",
    agency_kind: "police",
    case_number: "2026-123",
    incident_type: "burglary",
    description: "Break-in on Elm Street.",
    contact: "desk@springfield.example",
    window_start: "2026-12-01T07:00:00+00:00",
    window_end: "2026-12-01T09:30:00+00:00",
    area: { latitude: 51.5, longitude: -0.12, radius_m: 400 },
    distance_m: 120.5,
    status: "pending",
    decision: null,
    queued: false,
    share_id: null,
    policy_violation: null,
    created_at: "2026-12-01T08:00:00+00:00",
    updated_at: "2026-12-01T08:00:00+00:00",
    expires_at: "2026-12-04T09:00:00+00:00",
    clips: [
      clip("c1"),
      clip("c2", { doorbell_name: "Side gate", start: "2026-12-01T08:00:00+00:00", end: "2026-12-01T08:00:01+00:00", kind: "snapshot", content_type: "image/jpeg", size: 40_000 }),
    ],
    ...overrides,
  };
}

export function requestsResult(requests: VideoRequest[] = [request("r1")], entry = "abc"): RequestsResult {
  return {
    config_entry_id: entry,
    home: { latitude: 51.5005, longitude: -0.1195 },
    retention: { default_days: 14, max_days: 30 },
    requests,
  };
}

export function share(id: string, overrides: Partial<Share> = {}): Share {
  return {
    share_id: id,
    request_id: "r0",
    agency: "Springfield PD",
    case_number: "2026-100",
    status: "active",
    queued: false,
    retention_days: 30,
    created_at: "2026-11-29T09:00:00+00:00",
    expires_at: "2026-12-29T09:00:00+00:00",
    deleted_at: null,
    clips: [
      { clip_id: "c9", camera: "Front door", start: "2026-11-29T07:00:00+00:00", end: "2026-11-29T07:00:10+00:00", content_type: "video/mp4", size: 1_000_000, uploaded: true },
    ],
    accesses: [{ clip_id: "c9", agency: "Springfield PD", accessed_at: "2026-11-30T10:00:00+00:00" }],
    ...overrides,
  };
}

export function sharesResult(shares: Share[] = [share("s1")], entry = "abc"): SharesResult {
  return { config_entry_id: entry, shares };
}

export function ledgerEntries(from: number, to: number): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (let seq = from; seq >= to; seq--) {
    out.push({ seq, ts: "2026-12-01T08:00:00+00:00", kind: "share_accessed", data: { agency: "Springfield PD", clip_ids: ["a"] }, hash: `h${seq}`, prev: `h${seq - 1}` });
  }
  return out;
}

export function ledgerResult(entries: LedgerEntry[] = ledgerEntries(3, 1), count = entries.length, entry = "abc"): LedgerResult {
  return { config_entry_id: entry, verified: true, count, head: entries[0]?.hash ?? "", entries };
}

/** Handlers for one home that answer every porchlight/* command from these fixtures. */
export function standardHandlers(data: {
  requests?: () => RequestsResult;
  shares?: () => SharesResult;
  ledger?: (message: Message) => LedgerResult;
  entries?: () => { entries: { config_entry_id: string; title: string }[] };
} = {}): Record<string, Handler> {
  return {
    "porchlight/entries": data.entries ?? (() => ({ entries: [{ config_entry_id: "abc", title: "Home" }] })),
    "porchlight/requests": data.requests ?? (() => requestsResult()),
    "porchlight/shares": data.shares ?? (() => sharesResult()),
    "porchlight/ledger": data.ledger ?? (() => ledgerResult()),
  };
}

/** Lets promises, timers of 0 ms and Lit updates (also in shadow roots) run out. */
export async function settle(root: Element, rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((ok) => setTimeout(ok, 0));
    const pending = deepQueryAll<Element>(root, "*")
      .concat([root])
      .map((el) => (el as Partial<{ updateComplete: Promise<unknown> }>).updateComplete)
      .filter((p): p is Promise<unknown> => p instanceof Promise);
    await Promise.all(pending);
  }
}

/** querySelectorAll through every open shadow root below `root`. */
export function deepQueryAll<T extends Element = HTMLElement>(root: Element | ShadowRoot | Document, selector: string): T[] {
  const out: T[] = [];
  const visit = (node: Element | ShadowRoot | Document) => {
    for (const el of Array.from(node.querySelectorAll("*"))) {
      if (el.matches(selector)) out.push(el as T);
      if (el.shadowRoot) visit(el.shadowRoot);
    }
  };
  if (root instanceof Element && root.shadowRoot) visit(root.shadowRoot);
  visit(root);
  return out;
}

export function deepQuery<T extends Element = HTMLElement>(root: Element | ShadowRoot | Document, selector: string): T {
  const found = deepQueryAll<T>(root, selector)[0];
  if (!found) throw new Error(`nothing matches ${selector}`);
  return found;
}

/** The button whose visible text (trimmed) is exactly `name`, below `root`. */
export function button(root: Element, name: string): HTMLButtonElement {
  const found = deepQueryAll<HTMLButtonElement>(root, "button").filter(
    (b) => (b.getAttribute("aria-label") ?? b.textContent ?? "").replace(/\s+/g, " ").trim() === name,
  );
  if (found.length !== 1) throw new Error(`${found.length} buttons named "${name}"`);
  return found[0]!;
}

export function buttonsNamed(root: Element, name: string): HTMLButtonElement[] {
  return deepQueryAll<HTMLButtonElement>(root, "button").filter(
    (b) => (b.getAttribute("aria-label") ?? b.textContent ?? "").replace(/\s+/g, " ").trim() === name,
  );
}

/** A promise and its resolve/reject, to hold an answer back. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}
