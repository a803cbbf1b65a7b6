// The Ledger tab: whether the hash chain verifies, the entries newest first with a
// plain summary and the raw JSON on demand, Export and "Load older".
import { LitElement, css, html, nothing, type TemplateResult } from "lit";
import { repeat } from "lit/directives/repeat.js";
import type { LedgerEntry } from "../api";
import type { LedgerState } from "../data";
import { errorMessage } from "../errors";
import { formatDateTime, type FormatOptions } from "../format";
import { summarizeLedgerData } from "../ledger-summary";
import { ledgerKindLabel, strings } from "../strings";
import { baseStyles } from "../styles";
import { renderLoadState } from "./load-state";
import { renderAlert, renderBusyLabel } from "./parts";

export class PorchlightLedgerView extends LitElement {
  static override properties = {
    state: { attribute: false },
    fmt: { attribute: false },
    onExport: { attribute: false },
    onLoadOlder: { attribute: false },
    onRetry: { attribute: false },
    _exporting: { state: true },
    _error: { state: true },
  };

  declare state: LedgerState;
  declare fmt: FormatOptions;
  declare onExport: (() => Promise<void>) | undefined;
  declare onLoadOlder: (() => void) | undefined;
  declare onRetry: (() => void) | undefined;
  declare _exporting: boolean;
  declare _error: string | null;

  constructor() {
    super();
    this.state = { loading: true, olderLoading: false, hasOlder: false };
    this.fmt = { locale: "en" };
    this.onExport = undefined;
    this.onLoadOlder = undefined;
    this.onRetry = undefined;
    this._exporting = false;
    this._error = null;
  }

  private async export(): Promise<void> {
    if (this._exporting || !this.onExport) return;
    this._exporting = true;
    this._error = null;
    try {
      await this.onExport();
    } catch (err) {
      this._error = errorMessage(err);
    } finally {
      this._exporting = false;
    }
  }

  private renderEntry(entry: LedgerEntry): TemplateResult {
    const summary = summarizeLedgerData(entry.data);
    return html`<li class="entry">
      <div class="entry-head">
        <span class="kind">${ledgerKindLabel(entry.kind)}</span>
        <span class="secondary">${formatDateTime(entry.ts, this.fmt)}</span>
        <span class="secondary seq">${strings.ledgerSeq(entry.seq)}</span>
      </div>
      ${summary ? html`<p class="summary">${summary}</p>` : nothing}
      <details>
        <summary>${strings.rawData}</summary>
        <pre>${JSON.stringify(entry, null, 2)}</pre>
      </details>
    </li>`;
  }

  protected override render(): TemplateResult {
    const { state } = this;
    const result = state.data;
    const toolbar = html`<div class="toolbar">
      <button class="btn primary" ?disabled=${this._exporting || !this.onExport} @click=${this.export}>
        ${renderBusyLabel(this._exporting, strings.exportLedger, strings.exporting)}
      </button>
      <span class="secondary hint">${strings.exportHint}</span>
    </div>
    ${this._error ? renderAlert(this._error, () => (this._error = null)) : nothing}`;
    if (!result) return html`${toolbar}${renderLoadState(state, strings.tabs.ledger, this.onRetry)}`;
    const banner = result.verified
      ? html`<p class="notice ok banner" role="status">${strings.ledgerVerified(result.count)}</p>`
      : html`<p class="notice bad banner" role="alert">
          ${result.problem ? strings.ledgerBroken(result.problem) : strings.ledgerBrokenUnknown}
        </p>`;
    const entries = result.entries ?? [];
    return html`
      ${banner} ${toolbar}
      ${state.error ? renderLoadState(state, strings.tabs.ledger, this.onRetry) : nothing}
      ${entries.length
        ? html`<ol class="card entries">
            ${repeat(
              entries,
              (e) => e.seq,
              (e) => this.renderEntry(e),
            )}
          </ol>`
        : html`<p class="secondary">${strings.noLedger}</p>`}
      ${state.olderError
        ? html`<div class="alert" role="alert"><span>${state.olderError}</span></div>`
        : nothing}
      ${state.hasOlder && entries.length
        ? html`<div class="more">
            <button class="btn outline" ?disabled=${state.olderLoading} @click=${() => this.onLoadOlder?.()}>
              ${renderBusyLabel(state.olderLoading, strings.loadOlder, strings.loadingOlder)}
            </button>
          </div>`
        : nothing}
    `;
  }

  static override styles = [
    baseStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      p {
        margin: 0;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 12px;
      }
      .hint {
        font-size: 13px;
      }
      .entries {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .entry {
        padding: 12px 16px;
        border-top: 1px solid var(--divider-color, #e0e0e0);
        display: flex;
        flex-direction: column;
        gap: 4px;
        min-width: 0;
      }
      .entry:first-child {
        border-top: none;
      }
      .entry-head {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        align-items: baseline;
      }
      .kind {
        font-weight: 500;
      }
      .seq {
        margin-left: auto;
        font-variant-numeric: tabular-nums;
      }
      .summary {
        overflow-wrap: anywhere;
      }
      details summary {
        display: inline-flex;
        align-items: center;
        gap: 4px;
        min-height: 40px;
        padding-right: 8px;
        cursor: pointer;
        color: var(--primary-color, #03a9f4);
        font-size: 14px;
        list-style: none;
      }
      details summary::-webkit-details-marker {
        display: none;
      }
      details summary::before {
        content: "";
        width: 0;
        height: 0;
        border-style: solid;
        border-width: 5px 0 5px 7px;
        border-color: transparent transparent transparent currentColor;
        transition: transform 0.15s;
      }
      details[open] summary::before {
        transform: rotate(90deg);
      }
      pre {
        margin: 0;
        padding: 8px;
        border-radius: 8px;
        background: var(--primary-background-color, #fafafa);
        font-size: 12px;
        overflow-x: auto;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      .more {
        display: flex;
        justify-content: center;
      }
    `,
  ];
}
