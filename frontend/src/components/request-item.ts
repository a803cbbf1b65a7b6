// One video request. It owns its selection, retention field, busy and error state, so
// ticking a clip re-renders this request alone, not the 49 others.
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import { repeat } from "lit/directives/repeat.js";
import type { Clip, LatLon, Retention, ServiceName, VideoRequest } from "../api";
import { errorMessage } from "../errors";
import {
  formatBytes,
  formatClipTime,
  formatDistance,
  formatDuration,
  formatWindow,
  type FormatOptions,
} from "../format";
import { checkRetention, defaultRetention } from "../retention";
import {
  EMPTY_SELECTION,
  allSelected,
  orderedSelection,
  prune,
  selectAll,
  toggle,
  type Selection,
} from "../selection";
import { agencyKindLabel, strings } from "../strings";
import { humanize, isActionable, statusChipClass } from "../request-status";
import { baseStyles } from "../styles";
import { requestItemStyles } from "./request-item.styles";
import { areaMapStyles, renderAreaMap } from "./area-map";
import { clipMediaStyles, renderClipMedia } from "./clip-media";
import { renderAlert, renderBusyLabel } from "./parts";
import { watchNearViewport } from "../visibility";

export type RunAction = (service: ServiceName, data: Record<string, unknown>) => Promise<unknown>;

const DEFAULT_RETENTION: Retention = { default_days: 30, max_days: 30 };

let uid = 0;

export class PorchlightRequestItem extends LitElement {
  static override properties = {
    request: { attribute: false },
    retention: { attribute: false },
    home: { attribute: false },
    fmt: { attribute: false },
    runAction: { attribute: false },
    _selection: { state: true },
    _retentionText: { state: true },
    _busy: { state: true },
    _error: { state: true },
    _near: { state: true },
  };

  declare request: VideoRequest;
  declare retention: Retention;
  declare home: LatLon | null;
  declare fmt: FormatOptions;
  declare runAction: RunAction | undefined;
  declare _selection: Selection;
  declare _retentionText: string;
  declare _busy: ServiceName | null;
  declare _error: string | null;
  /** Near the viewport (or playing): video players are built. */
  declare _near: boolean;

  private readonly ids = `pl-r${++uid}`;
  private retentionTouched = false;

  constructor() {
    super();
    this.retention = DEFAULT_RETENTION;
    this.home = null;
    this.fmt = { locale: "en" };
    this.runAction = undefined;
    this._selection = EMPTY_SELECTION;
    this._retentionText = "";
    this._busy = null;
    this._error = null;
    this._near = false;
  }

  private stopWatching?: () => void;

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopWatching = watchNearViewport(this, (near) => {
      // Far away again: drop the players, unless one is playing.
      if (near || !this.playing()) this._near = near;
    });
  }

  private playing(): boolean {
    return [...this.renderRoot.querySelectorAll("video")].some((v) => !v.paused);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  /** For tests and the benchmark: the clip ids ticked now. */
  get selectedClipIds(): string[] {
    return orderedSelection(this._selection, this.clipIds);
  }

  private get clipIds(): string[] {
    return (this.request?.clips ?? []).map((c) => c.id);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("request")) this._selection = prune(this._selection, this.clipIds);
    if (changed.has("retention") && !this.retentionTouched) {
      const r = this.retention ?? DEFAULT_RETENTION;
      this._retentionText = String(defaultRetention(r.default_days, r.max_days));
    }
  }

  private onClipChange(event: Event): void {
    const input = event.target as HTMLInputElement;
    const id = input.dataset.clipId;
    if (id) this._selection = toggle(this._selection, id, input.checked);
  }

  private onToggleAll(): void {
    this._selection = allSelected(this._selection, this.clipIds)
      ? EMPTY_SELECTION
      : selectAll(this.clipIds);
  }

  private onRetentionInput(event: Event): void {
    this.retentionTouched = true;
    this._retentionText = (event.target as HTMLInputElement).value;
  }

  private async act(service: ServiceName, data: Record<string, unknown>): Promise<void> {
    if (this._busy || !this.runAction) return;
    this._busy = service;
    this._error = null;
    try {
      await this.runAction(service, { request_id: this.request.id, ...data });
      this._selection = EMPTY_SELECTION;
    } catch (err) {
      this._error = errorMessage(err);
    } finally {
      this._busy = null;
    }
  }

  private onShareSelected(days: number): void {
    void this.act("share_clips", { clip_ids: this.selectedClipIds, retention_days: days });
  }

  private onShareAll(days: number): void {
    void this.act("share_all", { retention_days: days });
  }

  private onDecline(): void {
    void this.act("decline", {});
  }

  private renderFacts(r: VideoRequest): TemplateResult {
    const { fmt } = this;
    return html`<dl class="facts">
      <div><dt>${strings.incident}</dt><dd>${humanize(r.incident_type)}</dd></div>
      <div><dt>${strings.window}</dt><dd>${formatWindow(r.window_start, r.window_end, fmt)}</dd></div>
      ${r.distance_m === null || r.distance_m === undefined
        ? nothing
        : html`<div>
            <dt>${strings.distance}</dt>
            <dd>${strings.distanceFromHome(formatDistance(r.distance_m, fmt.locale))}</dd>
          </div>`}
      ${r.status === "pending"
        ? html`<div>
            <dt>${strings.expiry}</dt>
            <dd class="expiry">
              <porchlight-relative-time kind="expiry" datetime=${r.expires_at} .fmt=${fmt}></porchlight-relative-time>
            </dd>
          </div>`
        : nothing}
      ${r.contact ? html`<div><dt>${strings.contact}</dt><dd>${r.contact}</dd></div>` : nothing}
    </dl>`;
  }

  private renderClip(clip: Clip, selectable: boolean, disabled: boolean): TemplateResult {
    const time = formatClipTime(clip.start, this.request.window_start, this.fmt);
    const label = strings.clipLabel(clip.doorbell_name || clip.doorbell, time);
    const length = formatDuration(Date.parse(clip.end) - Date.parse(clip.start));
    const meta = `${strings.clipKinds[clip.kind] ?? humanize(clip.kind)} · ${length} · ${formatBytes(clip.size, this.fmt.locale)}`;
    return html`<li class="clip">
      ${renderClipMedia(clip, label, this._near)}
      ${selectable
        ? html`<label class="pick">
            <input
              type="checkbox"
              data-clip-id=${clip.id}
              .checked=${this._selection.has(clip.id)}
              ?disabled=${disabled}
            />
            <span>${label}</span>
          </label>`
        : html`<span class="pick static">${label}</span>`}
      <span class="clip-meta secondary">${meta}</span>
    </li>`;
  }

  private renderClips(r: VideoRequest, selectable: boolean, disabled: boolean): TemplateResult {
    const clips = r.clips ?? [];
    if (!clips.length) {
      return selectable ? html`<p class="secondary">${strings.noClips}</p>` : html``;
    }
    const all = allSelected(this._selection, this.clipIds);
    return html`<section class="clips-section" aria-labelledby="${this.ids}-clips">
      <div class="clips-head">
        <h4 id="${this.ids}-clips">
          ${selectable ? strings.clipsHeading(clips.length) : strings.sharedClipsHeading(clips.length)}
        </h4>
        ${selectable
          ? html`<span class="secondary count" aria-live="polite"
                >${strings.selectedCount(this._selection.size, clips.length)}</span
              >
              <button class="btn" ?disabled=${disabled} @click=${this.onToggleAll}>
                ${all ? strings.selectNone : strings.selectAll}
              </button>`
          : nothing}
      </div>
      <ul class="clips" @change=${this.onClipChange}>
        ${repeat(
          clips,
          (c) => c.id,
          (c) => this.renderClip(c, selectable, disabled),
        )}
      </ul>
    </section>`;
  }

  private renderActions(r: VideoRequest): TemplateResult {
    const max = Math.max(1, Math.floor((this.retention ?? DEFAULT_RETENTION).max_days));
    const check = checkRetention(this._retentionText, max);
    const busy = this._busy;
    const clipCount = r.clips?.length ?? 0;
    const canShare = check.ok && !busy && !!this.runAction;
    const days = check.ok ? check.days : 0;
    const errorId = `${this.ids}-retention-error`;
    const hintId = `${this.ids}-retention-hint`;
    return html`<div class="actions">
      <div class="retention">
        <label for="${this.ids}-days">${strings.keepFor}</label>
        <input
          id="${this.ids}-days"
          type="number"
          inputmode="numeric"
          min="1"
          max=${max}
          step="1"
          .value=${this._retentionText}
          ?disabled=${!!busy}
          aria-invalid=${check.ok ? "false" : "true"}
          aria-describedby="${hintId} ${errorId}"
          @input=${this.onRetentionInput}
        />
        <span id=${hintId} class="secondary hint">${strings.keepForHint(max)}</span>
      </div>
      <p id=${errorId} class="field-error" ?hidden=${check.ok}>${check.ok ? "" : check.message}</p>
      <div class="buttons">
        <button
          class="btn primary"
          ?disabled=${!canShare || this._selection.size === 0}
          @click=${() => this.onShareSelected(days)}
        >
          ${renderBusyLabel(busy === "share_clips", strings.shareSelected, strings.sharing)}
        </button>
        <button
          class="btn outline"
          ?disabled=${!canShare || clipCount === 0}
          @click=${() => this.onShareAll(days)}
        >
          ${renderBusyLabel(busy === "share_all", strings.shareAll, strings.sharing)}
        </button>
        <button class="btn outline" ?disabled=${!!busy || !this.runAction} @click=${this.onDecline}>
          ${renderBusyLabel(busy === "decline", strings.decline, strings.declining)}
        </button>
      </div>
    </div>`;
  }

  private renderOutcome(r: VideoRequest): TemplateResult {
    const decision = r.decision ? strings.yourDecision[r.decision] : null;
    return html`<div class="outcome">
      ${r.queued ? html`<p class="notice" role="status">${strings.queued}</p>` : nothing}
      <p>
        ${r.status === "pending" && decision
          ? html`<strong>${decision}</strong>`
          : html`<strong>${strings.outcome}:</strong> ${strings.status[r.status] ?? humanize(r.status)}`}
        <span class="secondary">
          · <porchlight-relative-time kind="updated" datetime=${r.updated_at} .fmt=${this.fmt}></porchlight-relative-time>
        </span>
      </p>
      ${r.policy_violation
        ? html`<p class="violation"><strong>${strings.policyViolation}:</strong> ${humanize(r.policy_violation)}</p>`
        : nothing}
    </div>`;
  }

  protected override render(): TemplateResult {
    const r = this.request;
    if (!r) return html``;
    const actionable = isActionable(r);
    const busy = !!this._busy;
    return html`<article class="card ${actionable ? "" : "decided"}" aria-labelledby="${this.ids}-title">
      <header>
        <div class="title-row">
          <h3 id="${this.ids}-title">${r.agency}</h3>
          <span class="chip">${agencyKindLabel(r.agency_kind)}</span>
          ${actionable
            ? nothing
            : html`<span class="chip ${statusChipClass(r.status)}">${strings.status[r.status] ?? humanize(r.status)}</span>`}
        </div>
        <p class="case secondary">${strings.caseNumber} ${r.case_number}</p>
      </header>
      <div class="body">
        <div class="text">
          ${this.renderFacts(r)}
          ${r.description ? html`<p class="description">${r.description}</p>` : nothing}
        </div>
        <div class="map">${renderAreaMap(r.area, this.home, this.fmt.locale)}</div>
      </div>
      ${actionable ? nothing : this.renderOutcome(r)}
      ${this.renderClips(r, actionable, busy)}
      ${actionable ? this.renderActions(r) : nothing}
      ${this._error ? renderAlert(this._error, () => (this._error = null)) : nothing}
    </article>`;
  }

  static override styles = [baseStyles, areaMapStyles, clipMediaStyles, requestItemStyles];
}
