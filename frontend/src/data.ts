// Loads the collections a host shows, keeps them live through porchlight/subscribe
// (re-fetching only the collection an event names; never polling), and runs actions.
// A Lit ReactiveController: it subscribes while its host is in the DOM, and a new
// `hass` object with the same connection (every state change in HA) changes nothing.
import type { ReactiveController, ReactiveControllerHost } from "lit";
import {
  LEDGER_MAX_PAGE,
  LEDGER_PAGE,
  PorchlightApi,
  type Collection,
  type Entry,
  type HassConnection,
  type LedgerResult,
  type RequestsResult,
  type ServiceName,
  type SharesResult,
} from "./api";
import { errorMessage } from "./errors";
import { reconcile } from "./reconcile";

export interface Loadable<T> {
  data?: T;
  error?: string;
  loading: boolean;
}

export interface LedgerState extends Loadable<LedgerResult> {
  olderLoading: boolean;
  olderError?: string;
  /** false once a page came back short: nothing older is left. */
  hasOlder: boolean;
}

/** What to re-fetch once a service returned (the subscribe event also comes). */
const AFTER_ACTION: Record<ServiceName, Collection[]> = {
  share_clips: ["requests", "shares"],
  share_all: ["requests", "shares"],
  decline: ["requests"],
  revoke_share: ["shares"],
  export_ledger: [],
};

export interface DataOptions {
  collections: Collection[];
  /** A fixed entry (the card's config_entry_id): skips porchlight/entries. */
  entryId?: string | undefined;
}

export class PorchlightData implements ReactiveController {
  entries?: Entry[];
  entriesError?: string;
  entryId: string | undefined;
  liveError?: string;
  requests: Loadable<RequestsResult> = { loading: false };
  shares: Loadable<SharesResult> = { loading: false };
  ledger: LedgerState = { loading: false, olderLoading: false, hasOlder: true };

  private api?: PorchlightApi;
  private attached = false;
  private session = 0;
  private unsubscribe?: Promise<(() => Promise<void>) | undefined>;
  private readonly generation: Record<Collection, number> = { requests: 0, shares: 0, ledger: 0 };
  private readonly collections: ReadonlySet<Collection>;
  private fixedEntry: string | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    options: DataOptions,
  ) {
    this.collections = new Set(options.collections);
    this.fixedEntry = options.entryId;
    this.entryId = options.entryId;
    host.addController(this);
  }

  /** Called with every new `hass`; only a different connection restarts anything. */
  setConnection(connection: HassConnection | undefined): void {
    if (connection === this.api?.connection) return;
    this.stop();
    this.api = connection ? new PorchlightApi(connection) : undefined;
    this.entries = undefined;
    this.start();
  }

  get ready(): boolean {
    return this.api !== undefined;
  }

  hostConnected(): void {
    this.attached = true;
    this.start();
  }

  hostDisconnected(): void {
    this.attached = false;
    this.stop();
  }

  /** The entry the user picked; re-subscribes and reloads everything for it. */
  selectEntry(entryId: string): void {
    if (entryId === this.entryId) return;
    this.stop();
    this.entryId = entryId;
    this.reset();
    this.start();
  }

  /** A card's config_entry_id (or none: then the first home, from porchlight/entries). */
  setFixedEntry(entryId: string | undefined): void {
    if (entryId === this.fixedEntry) return;
    this.stop();
    this.fixedEntry = entryId;
    this.entryId = entryId;
    this.entries = undefined;
    this.reset();
    this.start();
  }

  private reset(): void {
    this.requests = { loading: false };
    this.shares = { loading: false };
    this.ledger = { loading: false, olderLoading: false, hasOlder: true };
  }

  private start(): void {
    if (!this.attached || !this.api) return;
    const session = ++this.session;
    this.api.connection.addEventListener?.("ready", this.onReconnect);
    void this.begin(session);
  }

  /** After a reconnect the subscription resumes by itself, but events sent meanwhile are lost. */
  private readonly onReconnect = (): void => {
    for (const kind of this.collections) void this.refresh(kind);
  };

  private stop(): void {
    this.session += 1;
    this.api?.connection.removeEventListener?.("ready", this.onReconnect);
    const pending = this.unsubscribe;
    this.unsubscribe = undefined;
    if (pending) {
      // Also right when the subscription is still being made: unsubscribe once it is.
      void pending.then((unsub) => unsub?.()).catch(() => undefined);
    }
  }

  private async begin(session: number): Promise<void> {
    const api = this.api;
    if (!api) return;
    if (this.fixedEntry === undefined && this.entries === undefined) {
      try {
        const result = await api.entries();
        if (session !== this.session) return;
        this.entries = result.entries;
        this.entriesError = undefined;
        const known = this.entries.some((e) => e.config_entry_id === this.entryId);
        if (!known) this.entryId = this.entries[0]?.config_entry_id;
      } catch (err) {
        if (session !== this.session) return;
        // An older backend or a transient failure: go on with the backend's default entry.
        this.entriesError = errorMessage(err);
        this.entries = [];
      }
      this.host.requestUpdate();
      if (this.entries.length === 0 && this.entriesError === undefined) return;
    }
    this.unsubscribe = api
      .subscribe(this.entryId, (event) => {
        if (session === this.session && event && this.collections.has(event.kind)) {
          void this.refresh(event.kind);
        }
      })
      .then(
        (unsub) => {
          if (session === this.session && this.liveError !== undefined) {
            this.liveError = undefined;
            this.host.requestUpdate();
          }
          return unsub;
        },
        (err: unknown) => {
          if (session === this.session) {
            this.liveError = errorMessage(err);
            this.host.requestUpdate();
          }
          return undefined;
        },
      );
    await Promise.all([...this.collections].map((kind) => this.refresh(kind)));
  }

  /** Re-fetches one collection; a later call wins over an earlier one still running. */
  async refresh(kind: Collection): Promise<void> {
    const api = this.api;
    if (!api || !this.collections.has(kind)) return;
    const session = this.session;
    const generation = ++this.generation[kind];
    const current = (): boolean => session === this.session && generation === this.generation[kind];
    // New state objects every time: the views compare them by identity.
    this.patch(kind, { loading: true });
    try {
      if (kind === "requests") {
        const result = await api.requests(this.entryId);
        if (!current()) return;
        const previous = this.requests.data?.requests;
        this.requests = {
          loading: false,
          data: { ...result, requests: reconcile(previous, result.requests ?? [], (r) => r.id) },
        };
      } else if (kind === "shares") {
        const result = await api.shares(this.entryId);
        if (!current()) return;
        const previous = this.shares.data?.shares;
        this.shares = {
          loading: false,
          data: { ...result, shares: reconcile(previous, result.shares ?? [], (s) => s.share_id) },
        };
      } else {
        const loaded = this.ledger.data?.entries.length ?? 0;
        const limit = Math.min(LEDGER_MAX_PAGE, Math.max(LEDGER_PAGE, loaded));
        const result = await api.ledger(this.entryId, { limit });
        if (!current()) return;
        const entries = reconcile(this.ledger.data?.entries, result.entries ?? [], (e) => String(e.seq));
        this.ledger = {
          loading: false,
          olderLoading: false,
          data: { ...result, entries },
          hasOlder: entries.length < result.count && entries.length >= limit,
        };
      }
    } catch (err) {
      if (!current()) return;
      this.patch(kind, { loading: false, error: errorMessage(err) });
      return;
    }
    this.host.requestUpdate();
  }

  private patch(kind: Collection, change: { loading: boolean; error?: string }): void {
    if (kind === "requests") this.requests = { ...this.requests, ...change };
    else if (kind === "shares") this.shares = { ...this.shares, ...change };
    else this.ledger = { ...this.ledger, ...change };
    this.host.requestUpdate();
  }

  /** The next page of the ledger, older than what is shown. */
  async loadOlder(): Promise<void> {
    const api = this.api;
    const data = this.ledger.data;
    const last = data?.entries[data.entries.length - 1];
    if (!api || !data || !last || this.ledger.olderLoading) return;
    const session = this.session;
    const generation = this.generation.ledger;
    this.ledger = { ...this.ledger, olderLoading: true, olderError: undefined };
    this.host.requestUpdate();
    try {
      const page = await api.ledger(this.entryId, { limit: LEDGER_PAGE, before_seq: last.seq });
      if (session !== this.session || generation !== this.generation.ledger) return;
      const seen = new Set(data.entries.map((e) => e.seq));
      const older = (page.entries ?? []).filter((e) => !seen.has(e.seq));
      const entries = [...data.entries, ...older];
      this.ledger = {
        loading: false,
        olderLoading: false,
        data: { ...data, verified: page.verified, problem: page.problem, count: page.count, entries },
        hasOlder: older.length > 0 && entries.length < page.count,
      };
    } catch (err) {
      if (session !== this.session) return;
      this.ledger = { ...this.ledger, olderLoading: false, olderError: errorMessage(err) };
    }
    this.host.requestUpdate();
  }

  /** The entry id to send with an action: the one shown (from the answer if none chosen). */
  get actionEntryId(): string | undefined {
    return this.entryId ?? this.requests.data?.config_entry_id ?? this.shares.data?.config_entry_id;
  }

  /** Runs porchlight.<service>; rejects with the WS error. Then re-fetches once, to be safe. */
  async callService(service: ServiceName, data: Record<string, unknown>): Promise<unknown> {
    const api = this.api;
    if (!api) throw new Error("Not connected to Home Assistant.");
    const response = await api.callService(service, data, this.actionEntryId);
    for (const kind of AFTER_ACTION[service]) void this.refresh(kind);
    return response;
  }
}
