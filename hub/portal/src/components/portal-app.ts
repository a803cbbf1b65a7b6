import { html, nothing } from "lit";
import { customElement, state } from "lit/decorators.js";
import { Api, type HubError } from "../api.js";
import { loadKeys, type StoredKeys } from "../keystore.js";
import type { PortalConfig, Session } from "../types.js";
import { LightElement, messageOf } from "./base.js";
import "./keys-view.js";
import "./request-form.js";
import "./requests-view.js";
import "./sign-in.js";

type Tab = "new" | "requests" | "keys";
const TABS: [Tab, string][] = [
  ["new", "New request"],
  ["requests", "Requests"],
  ["keys", "Keys"],
];

/** The portal's shell: the session, the hub's portal config, the keys, the tabs. */
@customElement("porchlight-portal")
export class PortalApp extends LightElement {
  readonly api = new Api();
  @state() private session: Session | null = null;
  @state() private config: PortalConfig | null = null;
  @state() private stored: StoredKeys | null = null;
  @state() private tab: Tab = "new";
  @state() private starting = true;
  @state() private notice = "";
  @state() private error = "";

  constructor() {
    super();
    this.api.onUnauthorized = (err: HubError) => this.expired(err);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  private async start(): Promise<void> {
    try {
      const session = await this.api.resume();
      if (session) await this.enter(session);
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.starting = false;
    }
  }

  private async enter(session: Session): Promise<void> {
    this.session = session;
    this.notice = "";
    this.error = "";
    this.stored = await loadKeys(session.agency.agency_id);
    this.tab = this.stored ? "new" : "keys";
    try {
      this.config = await this.api.portal();
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  private expired(err: HubError): void {
    this.leave(
      err.code === "session_expired"
        ? "Your session expired. Sign in again."
        : `You are signed out: ${err.message}`,
    );
  }

  private leave(notice: string): void {
    this.session = null;
    this.config = null;
    this.stored = null;
    this.notice = notice;
  }

  private async signOut(): Promise<void> {
    try {
      await this.api.signOut();
    } catch {
      // signed out on this side regardless
    }
    this.leave("You signed out.");
  }

  override render() {
    const session = this.session;
    return html`
      <header class="top">
        <div>
          <p class="brand">Porchlight · agency portal</p>
          ${this.config ? html`<p class="hub-name" data-hub-name>${this.config.hub.name}</p>` : nothing}
        </div>
        ${session
          ? html`<div class="who">
              <span data-agency-name class="text">${session.agency.name}</span>
              <button type="button" class="secondary" data-action="sign-out" @click=${this.signOut}>Sign out</button>
            </div>`
          : nothing}
      </header>
      <main>
        ${this.error ? html`<p class="error" role="alert" data-error>${this.error}</p>` : nothing}
        ${this.starting
          ? html`<p>Loading…</p>`
          : session
            ? this.signedIn(session)
            : html`<porchlight-sign-in .api=${this.api} .notice=${this.notice} @signed-in=${(e: CustomEvent<Session>) => this.enter(e.detail)}></porchlight-sign-in>`}
      </main>
      <footer class="bottom"><a href="/">The hub's public page: every request, in public</a></footer>
    `;
  }

  private signedIn(session: Session) {
    return html`
      <nav class="tabs" role="tablist" aria-label="Portal">
        ${TABS.map(
          ([id, label]) => html`<button type="button" role="tab" data-tab=${id} aria-selected=${this.tab === id ? "true" : "false"} @click=${() => (this.tab = id)}>
            ${label}${id === "keys" && !this.stored ? " (needed)" : ""}
          </button>`,
        )}
      </nav>
      <div role="tabpanel">
        ${this.tab === "keys"
          ? html`<porchlight-keys .agency=${session.agency} .stored=${this.stored} @keys-changed=${(e: CustomEvent<StoredKeys | null>) => {
              this.stored = e.detail;
              if (e.detail) this.tab = "new";
            }}></porchlight-keys>`
          : this.tab === "requests"
            ? html`<porchlight-requests .api=${this.api} .agency=${session.agency} .keys=${this.stored?.keys ?? null}></porchlight-requests>`
            : this.config
              ? html`<porchlight-request-form .api=${this.api} .config=${this.config} .agency=${session.agency} .keys=${this.stored?.keys ?? null}></porchlight-request-form>`
              : html`<p>Loading the hub's settings…</p>`}
      </div>
    `;
  }
}
