// The panel <-> backend contract (docs: /work/shared/panel-contract.md, DESIGN.md §3.7)
// as types, and the only place that knows the WebSocket message shapes. Every other
// module talks to Home Assistant through `PorchlightApi`.

/** The part of home-assistant-js-websocket's Connection the panel uses. */
export interface HassConnection {
  sendMessagePromise<T>(message: Record<string, unknown>): Promise<T>;
  subscribeMessage<T>(
    callback: (event: T) => void,
    message: Record<string, unknown>,
    options?: { resubscribe?: boolean },
  ): Promise<() => Promise<void>>;
  /** "ready" fires after the connection came back: what changed meanwhile was not pushed. */
  addEventListener?(event: "ready", listener: () => void): void;
  removeEventListener?(event: "ready", listener: () => void): void;
}

/** The part of the `hass` object the panel and card read. */
export interface Hass {
  connection: HassConnection;
  language?: string;
  locale?: { language?: string; time_zone?: string; time_format?: string };
  config?: { time_zone?: string };
  themes?: { darkMode?: boolean };
}

export interface Entry {
  config_entry_id: string;
  title: string;
}

export interface EntriesResult {
  entries: Entry[];
}

export type RequestStatus =
  | "pending"
  | "shared"
  | "declined"
  | "withdrawn"
  | "expired"
  | "closed"
  | "out_of_policy";

export interface Clip {
  id: string;
  doorbell: string;
  doorbell_name: string;
  start: string;
  end: string;
  kind: "video" | "snapshot";
  content_type: string;
  size: number;
  url: string;
}

export interface Area {
  latitude: number;
  longitude: number;
  radius_m: number;
}

export interface LatLon {
  latitude: number;
  longitude: number;
}

export interface VideoRequest {
  id: string;
  agency: string;
  agency_kind: string;
  case_number: string;
  incident_type: string;
  description: string;
  contact?: string;
  window_start: string;
  window_end: string;
  area: Area;
  distance_m: number | null;
  status: RequestStatus;
  decision: "share" | "decline" | null;
  queued: boolean;
  share_id: string | null;
  policy_violation?: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string;
  clips: Clip[];
}

export interface Retention {
  default_days: number;
  max_days: number;
}

export interface RequestsResult {
  config_entry_id: string;
  home: LatLon | null;
  retention: Retention;
  requests: VideoRequest[];
}

export interface ShareClip {
  clip_id: string;
  camera: string;
  start: string;
  end: string;
  content_type: string;
  size: number;
  uploaded: boolean;
}

export interface ShareAccess {
  clip_id: string;
  agency: string;
  accessed_at: string;
}

export interface Share {
  share_id: string;
  request_id: string;
  agency: string;
  case_number: string;
  status: "active" | "deleted" | "revoked" | "queued";
  queued: boolean;
  retention_days: number;
  created_at: string;
  expires_at: string;
  deleted_at: string | null;
  clips: ShareClip[];
  accesses: ShareAccess[];
}

export interface SharesResult {
  config_entry_id: string;
  shares: Share[];
}

export interface LedgerEntry {
  seq: number;
  ts: string;
  kind: string;
  data: Record<string, unknown>;
  hash: string;
  prev: string;
}

export interface LedgerResult {
  config_entry_id: string;
  verified: boolean;
  problem?: string;
  count: number;
  head: string;
  entries: LedgerEntry[];
}

export type Collection = "requests" | "shares" | "ledger";

export interface SubscribeEvent {
  kind: Collection;
}

export type ServiceName =
  | "share_clips"
  | "share_all"
  | "decline"
  | "revoke_share"
  | "export_ledger";

/** HA's answer to `call_service` with `return_response: true`. */
export interface ServiceResult {
  context?: unknown;
  response?: unknown;
}

export const LEDGER_PAGE = 200;
export const LEDGER_MAX_PAGE = 1000;

function withEntry(
  message: Record<string, unknown>,
  entryId: string | undefined,
): Record<string, unknown> {
  return entryId === undefined ? message : { ...message, config_entry_id: entryId };
}

/** Typed wrappers of the porchlight/* commands and the services, for one connection. */
export class PorchlightApi {
  constructor(readonly connection: HassConnection) {}

  entries(): Promise<EntriesResult> {
    return this.connection.sendMessagePromise<EntriesResult>({ type: "porchlight/entries" });
  }

  requests(entryId?: string): Promise<RequestsResult> {
    return this.connection.sendMessagePromise<RequestsResult>(
      withEntry({ type: "porchlight/requests" }, entryId),
    );
  }

  shares(entryId?: string): Promise<SharesResult> {
    return this.connection.sendMessagePromise<SharesResult>(
      withEntry({ type: "porchlight/shares" }, entryId),
    );
  }

  ledger(
    entryId?: string,
    page: { limit?: number; before_seq?: number } = {},
  ): Promise<LedgerResult> {
    const message: Record<string, unknown> = { type: "porchlight/ledger" };
    if (page.limit !== undefined) message.limit = page.limit;
    if (page.before_seq !== undefined) message.before_seq = page.before_seq;
    return this.connection.sendMessagePromise<LedgerResult>(withEntry(message, entryId));
  }

  subscribe(
    entryId: string | undefined,
    callback: (event: SubscribeEvent) => void,
  ): Promise<() => Promise<void>> {
    return this.connection.subscribeMessage<SubscribeEvent>(
      callback,
      withEntry({ type: "porchlight/subscribe" }, entryId),
      { resubscribe: true },
    );
  }

  /** Calls porchlight.<service> and returns its response (every one of ours returns one). */
  async callService(
    service: ServiceName,
    serviceData: Record<string, unknown>,
    entryId?: string,
  ): Promise<unknown> {
    const result = await this.connection.sendMessagePromise<ServiceResult | null>({
      type: "call_service",
      domain: "porchlight",
      service,
      service_data: withEntry(serviceData, entryId),
      return_response: true,
    });
    return result?.response;
  }
}
