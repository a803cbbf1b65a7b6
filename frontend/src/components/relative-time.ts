// <porchlight-relative-time>: "Expires in 3 days", kept current by the shared clock, so
// a tick re-renders these few words and not the requests around them.
import { LitElement, html, type TemplateResult } from "lit";
import { onClockTick } from "../clock";
import { formatDateTime, formatExpiry, formatRelative, type FormatOptions } from "../format";
import { strings } from "../strings";

export type RelativeKind = "expiry" | "updated" | "deleted";

export class PorchlightRelativeTime extends LitElement {
  static override properties = {
    datetime: {},
    kind: {},
    fmt: { attribute: false },
  };

  declare datetime: string;
  declare kind: RelativeKind;
  declare fmt: FormatOptions;

  private stop?: () => void;

  constructor() {
    super();
    this.datetime = "";
    this.kind = "expiry";
    this.fmt = { locale: "en" };
  }

  // No shadow root: the text takes the styles of where it stands.
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stop = onClockTick(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop?.();
    this.stop = undefined;
  }

  protected override render(): TemplateResult {
    const now = Date.now();
    const { locale } = this.fmt;
    const text =
      this.kind === "expiry"
        ? formatExpiry(this.datetime, now, locale)
        : this.kind === "deleted"
          ? strings.deleted(formatRelative(this.datetime, now, locale))
          : strings.decidedRel(formatRelative(this.datetime, now, locale));
    return html`<time datetime=${this.datetime} title=${formatDateTime(this.datetime, this.fmt)}>${text}</time>`;
  }
}
