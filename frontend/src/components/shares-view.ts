// The Shares tab: active shares first, then the ended ones.
import { LitElement, css, html, nothing, type TemplateResult } from "lit";
import { repeat } from "lit/directives/repeat.js";
import type { Share, SharesResult } from "../api";
import type { Loadable } from "../data";
import type { FormatOptions } from "../format";
import { strings } from "../strings";
import { baseStyles } from "../styles";
import { renderLoadState } from "./load-state";
import type { RunAction } from "./request-item";

export class PorchlightSharesView extends LitElement {
  static override properties = {
    state: { attribute: false },
    fmt: { attribute: false },
    runAction: { attribute: false },
    onRetry: { attribute: false },
  };

  declare state: Loadable<SharesResult>;
  declare fmt: FormatOptions;
  declare runAction: RunAction | undefined;
  declare onRetry: (() => void) | undefined;

  constructor() {
    super();
    this.state = { loading: true };
    this.fmt = { locale: "en" };
    this.runAction = undefined;
    this.onRetry = undefined;
  }

  private renderList(shares: Share[]): TemplateResult {
    return html`<div class="list">
      ${repeat(
        shares,
        (s) => s.share_id,
        (s) =>
          html`<porchlight-share-item
            data-share-id=${s.share_id}
            .share=${s}
            .fmt=${this.fmt}
            .runAction=${this.runAction}
          ></porchlight-share-item>`,
      )}
    </div>`;
  }

  protected override render(): TemplateResult {
    const { state } = this;
    const result = state.data;
    if (!result) return renderLoadState(state, strings.tabs.shares, this.onRetry);
    const all = result.shares ?? [];
    const open = all.filter((s) => s.status === "active" || s.status === "queued");
    const ended = all.filter((s) => s.status !== "active" && s.status !== "queued");
    return html`
      ${state.error ? renderLoadState(state, strings.tabs.shares, this.onRetry) : nothing}
      ${all.length === 0 ? html`<p class="empty secondary">${strings.noShares}</p>` : nothing}
      ${open.length
        ? html`<section aria-labelledby="active-h">
            <h2 id="active-h">${strings.activeHeading} <span class="count">(${open.length})</span></h2>
            ${this.renderList(open)}
          </section>`
        : nothing}
      ${ended.length
        ? html`<section aria-labelledby="past-h">
            <h2 id="past-h">${strings.pastHeading} <span class="count">(${ended.length})</span></h2>
            ${this.renderList(ended)}
          </section>`
        : nothing}
    `;
  }

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      section + section {
        margin-top: 28px;
      }
      h2 {
        font-size: 16px;
        margin: 0 4px 12px;
        color: var(--secondary-text-color, #727272);
      }
      .count {
        font-weight: 400;
      }
      .list {
        display: flex;
        flex-direction: column;
        gap: 16px;
      }
      .empty {
        margin: 8px 4px 16px;
      }
    `,
  ];
}
