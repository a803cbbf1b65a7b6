// <porchlight-requests-card>: pending requests on a dashboard, with Share all and
// Decline, and a link to the panel for choosing clips one by one.
import { LitElement, css, html, nothing, type TemplateResult } from "lit";
import { repeat } from "lit/directives/repeat.js";
import type { Hass, ServiceName, VideoRequest } from "./api";
import { humanize, isActionable } from "./request-status";
import { renderAlert, renderBusyLabel } from "./components/parts";
import { renderLoadState } from "./components/load-state";
import { PorchlightData } from "./data";
import { upgradeProperty } from "./define";
import { errorMessage } from "./errors";
import { formatOptionsFromHass, sameFormat, formatWindow, type FormatOptions } from "./format";
import { defaultRetention } from "./retention";
import { strings } from "./strings";
import { baseStyles } from "./styles";

export const CARD_TYPE = "porchlight-requests-card";
export const PANEL_PATH = "/porchlight/requests";

export interface CardConfig {
  type: string;
  config_entry_id?: string;
  title?: string;
}

const OPTIONAL_TEXT = ["config_entry_id", "title"] as const;

/** The card's config, or a clear Error (HA shows it in place of the card). */
export function validateCardConfig(config: unknown): CardConfig {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new Error(strings.badConfig);
  }
  const raw = config as Record<string, unknown>;
  if (raw.type !== `custom:${CARD_TYPE}` && raw.type !== CARD_TYPE) {
    throw new Error(strings.badConfigType);
  }
  const result: CardConfig = { type: raw.type };
  for (const [key, value] of Object.entries(raw)) {
    if (key === "type" || key === "view_layout" || key === "grid_options" || key === "visibility") continue;
    if (!(OPTIONAL_TEXT as readonly string[]).includes(key)) throw new Error(strings.badConfigUnknown(key));
    if (value === undefined || value === null || value === "") continue;
    if (typeof value !== "string") throw new Error(strings.badConfigField(key));
    result[key as (typeof OPTIONAL_TEXT)[number]] = value.trim();
  }
  return result;
}

/** HA's own way to move to another page without reloading the frontend. */
export function navigate(path: string): void {
  history.pushState(null, "", path);
  window.dispatchEvent(new CustomEvent("location-changed", { detail: { replace: false } }));
}

export class PorchlightRequestsCard extends LitElement {
  static override properties = {
    _config: { state: true },
    _busy: { state: true },
    _errors: { state: true },
  };

  declare _config: CardConfig | undefined;
  declare _busy: ReadonlyMap<string, ServiceName>;
  declare _errors: ReadonlyMap<string, string>;

  readonly data = new PorchlightData(this, { collections: ["requests"] });
  private _hass?: Hass;
  private fmt: FormatOptions = { locale: "en" };

  constructor() {
    super();
    this._config = undefined;
    this._busy = new Map();
    this._errors = new Map();
  }

  static getStubConfig(): CardConfig {
    return { type: `custom:${CARD_TYPE}` };
  }

  static getConfigElement(): HTMLElement {
    return document.createElement("porchlight-requests-card-editor");
  }

  setConfig(config: unknown): void {
    const valid = validateCardConfig(config);
    this._config = valid;
    this.data.setFixedEntry(valid.config_entry_id);
  }

  get hass(): Hass | undefined {
    return this._hass;
  }

  set hass(hass: Hass | undefined) {
    this._hass = hass;
    this.data.setConnection(hass?.connection);
    const fmt = formatOptionsFromHass(hass);
    if (!sameFormat(fmt, this.fmt)) {
      this.fmt = fmt;
      this.requestUpdate();
    }
  }

  override connectedCallback(): void {
    upgradeProperty(this, "hass");
    super.connectedCallback();
  }

  private get pending(): VideoRequest[] {
    return (this.data.requests.data?.requests ?? []).filter((r) => r.status === "pending");
  }

  /** In rows of about 50 px, as HA's masonry layout wants. */
  getCardSize(): number {
    const data = this.data.requests.data;
    if (!data) return 3;
    return Math.min(12, 1 + Math.max(1, this.pending.length) * 2);
  }

  getGridOptions(): Record<string, number> {
    return { columns: 12, min_columns: 6, min_rows: 2 };
  }

  private async act(request: VideoRequest, service: ServiceName): Promise<void> {
    if (this._busy.has(request.id)) return;
    this._busy = new Map(this._busy).set(request.id, service);
    const errors = new Map(this._errors);
    errors.delete(request.id);
    this._errors = errors;
    const data: Record<string, unknown> = { request_id: request.id };
    if (service === "share_all") {
      const retention = this.data.requests.data?.retention;
      data.retention_days = defaultRetention(retention?.default_days ?? 30, retention?.max_days ?? 30);
    }
    try {
      await this.data.callService(service, data);
    } catch (err) {
      this._errors = new Map(this._errors).set(request.id, errorMessage(err));
    } finally {
      const busy = new Map(this._busy);
      busy.delete(request.id);
      this._busy = busy;
    }
  }

  private dismiss(id: string): void {
    const errors = new Map(this._errors);
    errors.delete(id);
    this._errors = errors;
  }

  private onChooseClips(event: MouseEvent): void {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(PANEL_PATH);
  }

  private renderRequest(r: VideoRequest): TemplateResult {
    const busy = this._busy.get(r.id);
    const error = this._errors.get(r.id);
    const clips = r.clips?.length ?? 0;
    const actionable = isActionable(r);
    return html`<li class="request" data-request-id=${r.id}>
      <div class="line">
        <strong>${r.agency}</strong>
        <span class="secondary">· ${humanize(r.incident_type)}</span>
      </div>
      <div class="secondary">
        ${formatWindow(r.window_start, r.window_end, this.fmt)} · ${strings.cardClipCount(clips)}
      </div>
      <div class="secondary">
        <porchlight-relative-time kind="expiry" datetime=${r.expires_at} .fmt=${this.fmt}></porchlight-relative-time>
      </div>
      ${actionable
        ? html`<div class="buttons">
            <button
              class="btn outline"
              ?disabled=${!!busy || clips === 0}
              @click=${() => void this.act(r, "share_all")}
            >
              ${renderBusyLabel(busy === "share_all", strings.shareAll, strings.sharing)}
            </button>
            <button class="btn outline" ?disabled=${!!busy} @click=${() => void this.act(r, "decline")}>
              ${renderBusyLabel(busy === "decline", strings.decline, strings.declining)}
            </button>
            <a class="btn link" href=${PANEL_PATH} @click=${this.onChooseClips}>${strings.chooseClips}</a>
          </div>`
        : r.queued
          ? html`<p class="notice" role="status">${strings.queued}</p>`
          : nothing}
      ${error ? renderAlert(error, () => this.dismiss(r.id)) : nothing}
    </li>`;
  }

  protected override render(): TemplateResult {
    const state = this.data.requests;
    const title = this._config?.title || strings.cardTitle;
    const pending = this.pending;
    let body: TemplateResult;
    if (this.data.entries?.length === 0 && this.data.entriesError === undefined) {
      body = html`<p class="secondary">${strings.noEntries}</p>`;
    } else if (!state.data) {
      body = renderLoadState(state, strings.cardTitle, () => void this.data.refresh("requests"));
    } else if (!pending.length) {
      body = html`<p class="secondary">${strings.cardNoPending}</p>`;
    } else {
      body = html`<ul>
        ${repeat(
          pending,
          (r) => r.id,
          (r) => this.renderRequest(r),
        )}
      </ul>`;
    }
    return html`<div class="card">
      <h2>${title}</h2>
      ${body}
    </div>`;
  }

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      .card {
        padding: 16px;
        height: 100%;
      }
      h2 {
        font-size: 20px;
        font-weight: 400;
        margin: 0 0 12px;
      }
      p {
        margin: 0;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .request {
        display: flex;
        flex-direction: column;
        gap: 4px;
        padding: 12px 0;
        border-top: 1px solid var(--divider-color, #e0e0e0);
        overflow-wrap: anywhere;
      }
      .request:first-child {
        border-top: none;
        padding-top: 0;
      }
      .buttons {
        margin-top: 8px;
      }
      .btn.link {
        text-decoration: none;
      }
    `,
  ];
}
