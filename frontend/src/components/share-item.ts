// One share: its clips, expiry, every agency access, and Revoke behind an inline,
// keyboard-operable confirmation (focus goes to Cancel; Escape cancels).
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import type { Share } from "../api";
import { errorMessage } from "../errors";
import { formatBytes, formatClipTime, formatDateTime, formatTimestamp, type FormatOptions } from "../format";
import { strings } from "../strings";
import { baseStyles } from "../styles";
import { renderAlert, renderBusyLabel } from "./parts";
import { humanize } from "../request-status";
import type { RunAction } from "./request-item";

export function canRevoke(share: Share): boolean {
  return share.status === "active" && !share.queued;
}

export class PorchlightShareItem extends LitElement {
  static override properties = {
    share: { attribute: false },
    fmt: { attribute: false },
    runAction: { attribute: false },
    _confirming: { state: true },
    _busy: { state: true },
    _error: { state: true },
  };

  declare share: Share;
  declare fmt: FormatOptions;
  declare runAction: RunAction | undefined;
  declare _confirming: boolean;
  declare _busy: boolean;
  declare _error: string | null;

  constructor() {
    super();
    this.fmt = { locale: "en" };
    this.runAction = undefined;
    this._confirming = false;
    this._busy = false;
    this._error = null;
  }

  private focusAfterUpdate: "cancel" | "revoke" | null = null;

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.focusAfterUpdate) {
      const target = this.renderRoot.querySelector<HTMLButtonElement>(
        this.focusAfterUpdate === "cancel" ? "button.cancel" : "button.revoke",
      );
      this.focusAfterUpdate = null;
      target?.focus();
    }
  }

  private ask(): void {
    this._confirming = true;
    this._error = null;
    this.focusAfterUpdate = "cancel";
  }

  private cancel(): void {
    this._confirming = false;
    this.focusAfterUpdate = "revoke";
  }

  private onConfirmKey(event: KeyboardEvent): void {
    if (event.key === "Escape") {
      event.stopPropagation();
      this.cancel();
    }
  }

  private async revoke(): Promise<void> {
    if (this._busy || !this.runAction) return;
    this._busy = true;
    try {
      await this.runAction("revoke_share", { share_id: this.share.share_id });
      this._confirming = false;
    } catch (err) {
      this._error = errorMessage(err);
      this._confirming = false;
      this.focusAfterUpdate = "revoke";
    } finally {
      this._busy = false;
    }
  }

  private renderRevoke(s: Share): TemplateResult | typeof nothing {
    if (!canRevoke(s)) return nothing;
    if (!this._confirming) {
      return html`<div class="buttons">
        <button class="btn outline danger revoke" ?disabled=${!this.runAction} @click=${this.ask}>
          ${strings.revoke}
        </button>
      </div>`;
    }
    return html`<div class="confirm" role="group" aria-label=${strings.revokeConfirm} @keydown=${this.onConfirmKey}>
      <p>${strings.revokeConfirm}</p>
      <div class="buttons">
        <button class="btn primary danger yes" ?disabled=${this._busy} @click=${this.revoke}>
          ${renderBusyLabel(this._busy, strings.revokeYes, strings.revoking)}
        </button>
        <button class="btn outline cancel" ?disabled=${this._busy} @click=${this.cancel}>${strings.revokeNo}</button>
      </div>
    </div>`;
  }

  protected override render(): TemplateResult {
    const s = this.share;
    if (!s) return html``;
    const { fmt } = this;
    const cameraOf = new Map(s.clips.map((c) => [c.clip_id, c]));
    const ended = s.status === "deleted" || s.status === "revoked";
    const chip = s.status === "active" ? "good" : s.status === "queued" ? "pending" : "";
    return html`<article class="card" aria-labelledby="t">
      <header>
        <div class="title-row">
          <h3 id="t">${s.agency}</h3>
          <span class="chip ${chip}">${strings.shareStatus[s.status] ?? humanize(s.status)}</span>
        </div>
        <p class="secondary case">${strings.caseNumber} ${s.case_number}</p>
      </header>
      <p class="expiry">
        ${ended && s.deleted_at
          ? html`<porchlight-relative-time kind="deleted" datetime=${s.deleted_at} .fmt=${fmt}></porchlight-relative-time>`
          : html`<strong
                ><porchlight-relative-time kind="expiry" datetime=${s.expires_at} .fmt=${fmt}></porchlight-relative-time
              ></strong>
              <span class="secondary">(${formatDateTime(s.expires_at, fmt)})</span>`}
        <span class="secondary"> · ${strings.keptFor(s.retention_days)}</span>
      </p>
      ${s.queued || s.status === "queued" ? html`<p class="notice" role="status">${strings.queued}</p>` : nothing}
      <section>
        <h4>${strings.sharedClips} (${s.clips.length})</h4>
        <ul>
          ${s.clips.map(
            (c) => html`<li>
              ${strings.clipLabel(c.camera, formatTimestamp(c.start, fmt))}
              <span class="secondary">· ${formatBytes(c.size, fmt.locale)}${c.uploaded ? "" : ` · ${strings.notUploaded}`}</span>
            </li>`,
          )}
        </ul>
      </section>
      <section>
        <h4>${strings.accesses} (${s.accesses.length})</h4>
        ${s.accesses.length
          ? html`<ul>
              ${s.accesses.map((a) => {
                const clip = cameraOf.get(a.clip_id);
                const what = clip ? strings.clipLabel(clip.camera, formatClipTime(clip.start, a.accessed_at, fmt)) : a.clip_id;
                return html`<li>${strings.accessLine(formatDateTime(a.accessed_at, fmt), a.agency, what)}</li>`;
              })}
            </ul>`
          : html`<p class="secondary">${strings.noAccesses}</p>`}
      </section>
      ${this.renderRevoke(s)}
      ${this._error ? renderAlert(this._error, () => (this._error = null)) : nothing}
    </article>`;
  }

  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      article {
        padding: 16px;
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .title-row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px;
      }
      h3 {
        font-size: 18px;
        overflow-wrap: anywhere;
      }
      h4 {
        margin: 0 0 4px;
        font-size: 14px;
        font-weight: 500;
      }
      p {
        margin: 0;
      }
      .case {
        margin-top: 4px;
      }
      ul {
        margin: 0;
        padding-left: 20px;
      }
      li {
        overflow-wrap: anywhere;
        padding: 2px 0;
      }
      .confirm {
        display: flex;
        flex-direction: column;
        gap: 8px;
        padding: 12px;
        border-radius: 8px;
        border: 1px solid var(--error-color, #db4437);
      }
    `,
  ];
}
