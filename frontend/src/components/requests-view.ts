// The Requests tab: pending requests first, then the decided ones, keyed by id so a
// re-fetch re-renders only the requests that changed.
import { LitElement, css, html, nothing, type TemplateResult } from "lit";
import { repeat } from "lit/directives/repeat.js";
import type { RequestsResult, VideoRequest } from "../api";
import type { Loadable } from "../data";
import type { FormatOptions } from "../format";
import { strings } from "../strings";
import { baseStyles } from "../styles";
import { renderLoadState } from "./load-state";
import type { RunAction } from "./request-item";

export class PorchlightRequestsView extends LitElement {
  static override properties = {
    state: { attribute: false },
    fmt: { attribute: false },
    runAction: { attribute: false },
    onRetry: { attribute: false },
  };

  declare state: Loadable<RequestsResult>;
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

  private renderList(requests: VideoRequest[], result: RequestsResult): TemplateResult {
    return html`<div class="list">
      ${repeat(
        requests,
        (r) => r.id,
        (r) =>
          html`<porchlight-request-item
            data-request-id=${r.id}
            .request=${r}
            .retention=${result.retention}
            .home=${result.home}
            .fmt=${this.fmt}
            .runAction=${this.runAction}
          ></porchlight-request-item>`,
      )}
    </div>`;
  }

  protected override render(): TemplateResult {
    const { state } = this;
    const result = state.data;
    if (!result) return renderLoadState(state, strings.tabs.requests, this.onRetry);
    const all = result.requests ?? [];
    const pending = all.filter((r) => r.status === "pending");
    const decided = all.filter((r) => r.status !== "pending");
    return html`
      ${state.error ? renderLoadState(state, strings.tabs.requests, this.onRetry) : nothing}
      ${all.length === 0
        ? html`<p class="empty secondary">${strings.noRequests}</p>`
        : html`<section aria-labelledby="pending-h">
              <h2 id="pending-h">${strings.pendingHeading} <span class="count">(${pending.length})</span></h2>
              ${pending.length
                ? this.renderList(pending, result)
                : html`<p class="empty secondary">${strings.noPending}</p>`}
            </section>
            ${decided.length
              ? html`<section aria-labelledby="earlier-h">
                  <h2 id="earlier-h">${strings.earlierHeading} <span class="count">(${decided.length})</span></h2>
                  ${this.renderList(decided, result)}
                </section>`
              : nothing}`}
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
