import { html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { Api } from "../api.js";
import { formatTime } from "../form.js";
import type { AgencyKeys } from "../identity.js";
import type { Agency, AgencyRequest, TransparencyAgency } from "../types.js";
import { LightElement, messageOf } from "./base.js";
import "./shares-view.js";

type Ending = { id: string; action: "withdraw" | "close" };

/** The agency's requests, newest first; withdraw or close an open one; its shares. */
@customElement("porchlight-requests")
export class RequestsView extends LightElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) agency!: Agency;
  @property({ attribute: false }) keys: AgencyKeys | null = null;
  @state() private requests: AgencyRequest[] | null = null;
  @state() private report: TransparencyAgency | null = null;
  @state() private error = "";
  @state() private confirming: Ending | null = null;
  @state() private open = new Set<string>();
  @state() private busy = "";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    this.error = "";
    try {
      const [requests, report] = await Promise.all([this.api.requests(), this.api.transparency().catch(() => null)]);
      this.requests = requests;
      this.report = report?.agencies.find((a) => a.agency === this.agency.name && a.kind === this.agency.kind) ?? null;
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  private toggle(id: string): void {
    const open = new Set(this.open);
    if (open.has(id)) open.delete(id);
    else open.add(id);
    this.open = open;
  }

  private async end(ending: Ending): Promise<void> {
    this.busy = ending.id;
    this.error = "";
    try {
      const changed = ending.action === "withdraw" ? await this.api.withdraw(ending.id) : await this.api.close(ending.id);
      this.requests = (this.requests ?? []).map((r) => (r.id === changed.id ? changed : r));
      this.confirming = null;
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.busy = "";
    }
  }

  private declines() {
    const weeks = this.report?.declines_by_week ?? [];
    return html`<details class="declines" data-declines>
      <summary>Declines (from the public transparency report)</summary>
      <p class="hint">Homes' declines are never shown per request: they are published per agency and calendar week, once the week has ended.</p>
      ${weeks.length
        ? html`<ul>${weeks.map((w) => html`<li><span class="mono">${w.week}</span>: ${String(w.declines)}</li>`)}</ul>`
        : html`<p>No finished week yet.</p>`}
    </details>`;
  }

  private item(r: AgencyRequest) {
    const confirming = this.confirming?.id === r.id ? this.confirming : null;
    return html`<li class="request card" data-request-id=${r.id} data-status=${r.status}>
      <header>
        <h3><span class="mono">${r.case_number}</span> · ${r.incident_type.replace(/_/g, " ")}</h3>
        <span class="status status-${r.status}" data-status-text>${r.status}</span>
      </header>
      <p class="text">${r.description}</p>
      <dl class="facts">
        <dt>Window</dt>
        <dd>${formatTime(r.window_start)} – ${formatTime(r.window_end)}</dd>
        <dt>Area</dt>
        <dd>${r.area.radius_m} m around <span class="mono">${r.area.latitude.toFixed(5)}, ${r.area.longitude.toFixed(5)}</span></dd>
        <dt>Homes reached</dt>
        <dd data-homes-reached>${String(r.homes_reached)}</dd>
        <dt>Shares</dt>
        <dd data-shares>${String(r.shares)}</dd>
        <dt>Sent</dt>
        <dd>${formatTime(r.created_at)}</dd>
        <dt>Expires</dt>
        <dd>${formatTime(r.expires_at)}</dd>
        <dt>Contact</dt>
        <dd class="text">${r.contact}</dd>
      </dl>
      <div class="actions">
        <button type="button" class="secondary" @click=${() => this.toggle(r.id)} aria-expanded=${this.open.has(r.id) ? "true" : "false"} data-action="shares">
          ${this.open.has(r.id) ? "Hide shares" : "Shares"}
        </button>
        ${r.status === "open" && !confirming
          ? html`<button type="button" class="secondary" data-action="withdraw" @click=${() => (this.confirming = { id: r.id, action: "withdraw" })}>Withdraw</button>
              <button type="button" class="secondary" data-action="close" @click=${() => (this.confirming = { id: r.id, action: "close" })}>Close</button>`
          : nothing}
      </div>
      ${confirming
        ? html`<div class="confirm" role="alertdialog" aria-label="Confirm">
            <p>
              ${confirming.action === "withdraw"
                ? "Withdraw this request? Homes stop being asked; clips already shared stay until they expire."
                : "Close this request? The case is closed and no further answers are taken."}
            </p>
            <button type="button" class="danger" data-action="confirm" ?disabled=${this.busy === r.id} @click=${() => this.end(confirming)}>
              ${confirming.action === "withdraw" ? "Yes, withdraw" : "Yes, close"}
            </button>
            <button type="button" class="secondary" data-action="cancel" @click=${() => (this.confirming = null)}>Cancel</button>
          </div>`
        : nothing}
      ${this.open.has(r.id) ? html`<porchlight-shares .api=${this.api} .keys=${this.keys} .requestId=${r.id}></porchlight-shares>` : nothing}
    </li>`;
  }

  override render() {
    return html`<section aria-labelledby="requests-title">
      <div class="section-head">
        <h2 id="requests-title">Requests</h2>
        <button type="button" class="secondary" @click=${() => this.load()} data-action="refresh">Refresh</button>
      </div>
      ${this.error ? html`<p class="error" role="alert" data-error>${this.error}</p>` : nothing}
      ${this.declines()}
      ${this.requests === null
        ? html`<p>Loading…</p>`
        : this.requests.length
          ? html`<ol class="requests">${this.requests.map((r) => this.item(r))}</ol>`
          : html`<p>No requests yet.</p>`}
    </section>`;
  }
}
