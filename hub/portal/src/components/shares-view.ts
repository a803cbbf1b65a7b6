import { html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { HubError, type Api } from "../api.js";
import { extensionOf, openClip, SEALED } from "../clips.js";
import { formatTime } from "../form.js";
import type { AgencyKeys } from "../identity.js";
import type { Share, SharedClip } from "../types.js";
import { LightElement, messageOf } from "./base.js";

interface Opened {
  url: string;
  contentType: string;
  sha256: string;
  name: string;
}

/** One request's shares, by neighbour pseudonym; clips opened in this browser. */
@customElement("porchlight-shares")
export class SharesView extends LightElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) keys: AgencyKeys | null = null;
  @property({ attribute: false }) requestId = "";
  @state() private shares: Share[] | null = null;
  @state() private error = "";
  @state() private opened = new Map<string, Opened>();
  @state() private problems = new Map<string, string>();
  @state() private busy = new Set<string>();

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const o of this.opened.values()) URL.revokeObjectURL(o.url);
  }

  async load(): Promise<void> {
    try {
      this.shares = (await this.api.shares(this.requestId)).shares;
    } catch (err) {
      this.error = messageOf(err);
    }
  }

  private async open(clip: SharedClip): Promise<void> {
    this.busy = new Set(this.busy).add(clip.id);
    const problems = new Map(this.problems);
    problems.delete(clip.id);
    this.problems = problems;
    try {
      const { bytes, announced } = await this.api.clip(clip.id);
      const opened = await openClip(clip, bytes, announced, this.keys?.age ?? null);
      const blob = new Blob([opened.bytes.slice().buffer as ArrayBuffer], { type: opened.contentType });
      const url = URL.createObjectURL(blob);
      this.opened = new Map(this.opened).set(clip.id, {
        url,
        contentType: opened.contentType,
        sha256: opened.sha256,
        name: `clip-${clip.id}${extensionOf(opened.contentType)}`,
      });
    } catch (err) {
      const why =
        err instanceof HubError && err.status === 410 ? `Gone: ${err.message}` : messageOf(err);
      this.problems = new Map(this.problems).set(clip.id, why);
    } finally {
      const busy = new Set(this.busy);
      busy.delete(clip.id);
      this.busy = busy;
    }
  }

  private clip(clip: SharedClip) {
    const opened = this.opened.get(clip.id);
    const problem = this.problems.get(clip.id);
    const sealed = clip.content_type === SEALED;
    return html`<li class="clip" data-clip-id=${clip.id}>
      <p>
        <span class="text">${clip.camera}</span> · ${formatTime(clip.start)}
        ${clip.end && clip.end !== clip.start ? html` – ${formatTime(clip.end)}` : nothing}
        · ${clip.inner_content_type ?? clip.content_type}${sealed ? " (sealed to this agency)" : ""} · ${clip.size} bytes
      </p>
      ${clip.available
        ? opened
          ? nothing
          : html`<button type="button" data-action="open-clip" ?disabled=${this.busy.has(clip.id)} @click=${() => this.open(clip)}>
              ${this.busy.has(clip.id) ? "Downloading and decrypting…" : "Download and open"}
            </button>`
        : html`<p class="gone" data-gone>Gone: no longer available (the share was revoked or expired).</p>`}
      ${problem ? html`<p class="error" role="alert" data-clip-problem>${problem}</p>` : nothing}
      ${opened
        ? html`<div class="opened" data-opened data-sha256=${opened.sha256}>
            <p class="ok">Decrypted and verified: sha256 <span class="mono">${opened.sha256}</span> is what the home announced.</p>
            ${opened.contentType.startsWith("image/")
              ? html`<img src=${opened.url} alt="Shared clip from ${clip.camera}" />`
              : opened.contentType.startsWith("video/")
                ? html`<video src=${opened.url} controls preload="metadata"></video>`
                : nothing}
            <a href=${opened.url} download=${opened.name} data-action="save">Save ${opened.name}</a>
          </div>`
        : nothing}
    </li>`;
  }

  override render() {
    if (this.error) return html`<p class="error" role="alert" data-error>${this.error}</p>`;
    if (this.shares === null) return html`<p>Loading shares…</p>`;
    if (!this.shares.length) return html`<p class="shares-empty" data-shares-empty>No shares yet.</p>`;
    return html`<ul class="shares">
      ${this.shares.map(
        (s) => html`<li class="share" data-share-id=${s.share_id} data-share-status=${s.status}>
          <h4><span class="text">${s.neighbour}</span> <span class="status status-${s.status}">${s.status}</span></h4>
          <p class="hint">Shared ${formatTime(s.shared_at)} · expires ${formatTime(s.expires_at)}${s.deleted_at ? html` · deleted ${formatTime(s.deleted_at)}` : nothing}</p>
          <ul class="clips">${s.clips.map((c) => this.clip(c))}</ul>
        </li>`,
      )}
    </ul>`;
  }
}
