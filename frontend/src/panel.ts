// <porchlight-panel>: the sidebar panel. Home Assistant sets `hass` (a new object on
// every state change), `narrow`, `route` and `panel`; only a new connection, locale or
// time zone matters to us, so a new `hass` alone re-renders nothing.
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import type { Collection, Hass, ServiceName } from "./api";
import { PorchlightData } from "./data";
import { fireEvent, upgradeProperty } from "./define";
import { downloadJson } from "./download";
import { formatOptionsFromHass, sameFormat, isoDate, type FormatOptions } from "./format";
import { strings } from "./strings";
import { baseStyles } from "./styles";

export const VIEWS = ["requests", "shares", "ledger"] as const;
export type View = (typeof VIEWS)[number];

interface Route {
  prefix?: string;
  path?: string;
}

const MENU_ICON = "M3,6H21V8H3V6M3,11H21V13H3V11M3,16H21V18H3V16Z";

function viewFromRoute(route: Route | undefined): View | null {
  const segment = route?.path?.split("/").filter(Boolean)[0];
  return (VIEWS as readonly string[]).includes(segment ?? "") ? (segment as View) : null;
}

export class PorchlightPanel extends LitElement {
  static override properties = {
    narrow: { type: Boolean, reflect: true },
    route: { attribute: false },
    panel: { attribute: false },
    _view: { state: true },
  };

  declare narrow: boolean;
  declare route: Route | undefined;
  declare panel: unknown;
  declare _view: View;

  readonly data = new PorchlightData(this, { collections: ["requests", "shares", "ledger"] });
  private _hass?: Hass;
  private fmt: FormatOptions = { locale: "en" };

  constructor() {
    super();
    this.narrow = false;
    this.route = undefined;
    this.panel = undefined;
    this._view = "requests";
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

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("route")) {
      const view = viewFromRoute(this.route);
      if (view) this._view = view;
    }
  }

  /** Stable references, so the request items see no change when the panel re-renders. */
  private readonly runAction = (service: ServiceName, data: Record<string, unknown>) =>
    this.data.callService(service, data);

  private readonly retry = (kind: Collection) => () => void this.data.refresh(kind);
  private readonly retryRequests = this.retry("requests");
  private readonly retryShares = this.retry("shares");
  private readonly retryLedger = this.retry("ledger");
  private readonly loadOlder = () => void this.data.loadOlder();

  private readonly exportLedger = async (): Promise<void> => {
    const response = await this.data.callService("export_ledger", {});
    downloadJson(`porchlight-ledger-${isoDate(new Date(), this.fmt)}.json`, response ?? {});
  };

  private selectView(view: View, focus = false): void {
    this._view = view;
    const prefix = this.route?.prefix;
    if (prefix && typeof history !== "undefined") {
      history.replaceState(history.state, "", `${prefix}/${view}`);
    }
    if (focus) {
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLElement>(`#tab-${view}`)?.focus(),
      );
    }
  }

  private onTabKey(event: KeyboardEvent): void {
    const index = VIEWS.indexOf(this._view);
    let next: number | null = null;
    if (event.key === "ArrowRight") next = (index + 1) % VIEWS.length;
    else if (event.key === "ArrowLeft") next = (index - 1 + VIEWS.length) % VIEWS.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = VIEWS.length - 1;
    if (next === null) return;
    event.preventDefault();
    this.selectView(VIEWS[next] ?? "requests", true);
  }

  private toggleMenu(): void {
    fireEvent(this, "hass-toggle-menu");
  }

  private onEntryChange(event: Event): void {
    this.data.selectEntry((event.target as HTMLSelectElement).value);
  }

  private renderHeader(): TemplateResult {
    const entries = this.data.entries ?? [];
    return html`<header class="toolbar">
      ${this.narrow
        ? html`<button class="icon-btn menu" aria-label=${strings.openSidebar} title=${strings.openSidebar} @click=${this.toggleMenu}>
            <svg viewBox="0 0 24 24" aria-hidden="true"><path d=${MENU_ICON}></path></svg>
          </button>`
        : nothing}
      <h1>${strings.title}</h1>
      ${entries.length > 1
        ? html`<label class="entry-picker">
            <span>${strings.home}</span>
            <select @change=${this.onEntryChange} .value=${this.data.entryId ?? ""}>
              ${entries.map(
                (e) => html`<option value=${e.config_entry_id} ?selected=${e.config_entry_id === this.data.entryId}>
                  ${e.title}
                </option>`,
              )}
            </select>
          </label>`
        : nothing}
    </header>`;
  }

  private renderTabs(): TemplateResult {
    const pending = (this.data.requests.data?.requests ?? []).filter((r) => r.status === "pending").length;
    return html`<div class="tabs" role="tablist" aria-label=${strings.tabsLabel} @keydown=${this.onTabKey}>
      ${VIEWS.map((view) => {
        const selected = view === this._view;
        return html`<button
          role="tab"
          id="tab-${view}"
          aria-selected=${selected ? "true" : "false"}
          aria-controls="view-${view}"
          tabindex=${selected ? "0" : "-1"}
          class=${selected ? "tab selected" : "tab"}
          @click=${() => this.selectView(view)}
        >
          ${strings.tabs[view]}
          ${view === "requests" && pending ? html`<span class="badge">${pending}</span>` : nothing}
        </button>`;
      })}
    </div>`;
  }

  private renderView(): TemplateResult {
    const d = this.data;
    switch (this._view) {
      case "shares":
        return html`<porchlight-shares-view
          .state=${d.shares}
          .fmt=${this.fmt}
          .runAction=${this.runAction}
          .onRetry=${this.retryShares}
        ></porchlight-shares-view>`;
      case "ledger":
        return html`<porchlight-ledger-view
          .state=${d.ledger}
          .fmt=${this.fmt}
          .onExport=${this.exportLedger}
          .onLoadOlder=${this.loadOlder}
          .onRetry=${this.retryLedger}
        ></porchlight-ledger-view>`;
      default:
        return html`<porchlight-requests-view
          .state=${d.requests}
          .fmt=${this.fmt}
          .runAction=${this.runAction}
          .onRetry=${this.retryRequests}
        ></porchlight-requests-view>`;
    }
  }

  protected override render(): TemplateResult {
    const d = this.data;
    const noHome = d.entries !== undefined && d.entries.length === 0 && d.entriesError === undefined;
    return html`${this.renderHeader()}
      ${noHome ? nothing : this.renderTabs()}
      <main class="content">
        <div class="inner">
          ${d.liveError ? html`<p class="notice live" role="status">${strings.liveOff(d.liveError)}</p>` : nothing}
          ${noHome
            ? html`<p class="notice">${strings.noEntries}</p>`
            : html`<div role="tabpanel" id="view-${this._view}" aria-labelledby="tab-${this._view}">
                ${this.renderView()}
              </div>`}
        </div>
      </main>`;
  }

  static override styles = [
    baseStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100%;
        min-height: 0;
        background: var(--primary-background-color, #fafafa);
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 8px;
        flex-wrap: wrap;
        min-height: var(--header-height, 56px);
        padding: 0 16px;
        background: var(--app-header-background-color, var(--primary-color, #03a9f4));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        border-bottom: var(--app-header-border-bottom, none);
        flex: none;
      }
      :host([narrow]) .toolbar {
        padding: 0 4px 0 4px;
      }
      h1 {
        margin: 0;
        font-size: 20px;
        font-weight: 400;
        flex: 1;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      :host([narrow]) h1 {
        padding-left: 4px;
      }
      .entry-picker {
        display: flex;
        align-items: center;
        gap: 8px;
        font-size: 14px;
        padding: 8px 0;
        max-width: 100%;
      }
      .entry-picker select {
        min-height: 40px;
        max-width: 60vw;
        padding: 0 8px;
        font: inherit;
        border-radius: 8px;
        border: 1px solid var(--divider-color, #c4c4c4);
        background: var(--card-background-color, #fff);
        color: var(--primary-text-color, #212121);
      }
      .tabs {
        display: flex;
        flex: none;
        background: var(--card-background-color, #fff);
        border-bottom: 1px solid var(--divider-color, #e0e0e0);
        padding: 0 8px;
        overflow-x: auto;
      }
      .tab {
        display: inline-flex;
        align-items: center;
        gap: 6px;
        min-height: 48px;
        padding: 0 16px;
        border: none;
        border-bottom: 2px solid transparent;
        background: none;
        font: inherit;
        font-size: 14px;
        font-weight: 500;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--secondary-text-color, #727272);
        cursor: pointer;
        flex: none;
      }
      .tab.selected {
        color: var(--primary-color, #03a9f4);
        border-bottom-color: var(--primary-color, #03a9f4);
      }
      .tab:focus-visible {
        outline-offset: -4px;
      }
      .badge {
        display: inline-flex;
        align-items: center;
        justify-content: center;
        min-width: 20px;
        height: 20px;
        padding: 0 6px;
        border-radius: 10px;
        font-size: 12px;
        letter-spacing: 0;
        background: var(--primary-color, #03a9f4);
        color: var(--text-primary-color, #fff);
      }
      .content {
        flex: 1;
        min-height: 0;
        overflow-y: auto;
        overflow-x: hidden;
      }
      .inner {
        max-width: 1040px;
        margin: 0 auto;
        padding: 16px;
      }
      :host([narrow]) .inner {
        padding: 12px 8px;
      }
      .live {
        margin: 0 0 12px;
      }
    `,
  ];
}
