import { html, nothing, type PropertyValues } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import { HubError, type Api } from "../api.js";
import { AreaMap } from "../area-map.js";
import {
  Debouncer,
  MAX_RADIUS_M,
  MIN_RADIUS_M,
  clampRadius,
  dateToLocal,
  fieldOf,
  formatTime,
  localToUtc,
  type FieldName,
} from "../form.js";
import type { AgencyKeys } from "../identity.js";
import { usableTiles } from "../map-parts.js";
import { signRequest } from "../signing.js";
import type { Agency, AgencyRequest, Area, PortalConfig, RequestTerms } from "../types.js";
import { LightElement, messageOf } from "./base.js";

const CHECK_MS = 350;

function centreOf(config: PortalConfig): Area {
  const cells = config.density.cells;
  if (!cells.length) return { latitude: 0, longitude: 0, radius_m: 400 };
  const lat = cells.reduce((s, c) => s + c.latitude, 0) / cells.length;
  const lon = cells.reduce((s, c) => s + c.longitude, 0) / cells.length;
  return { latitude: Math.round(lat * 1e6) / 1e6, longitude: Math.round(lon * 1e6) / 1e6, radius_m: 400 };
}

/** A new request: the circle on the map, the terms, the hub's rules live, then signed. */
@customElement("porchlight-request-form")
export class RequestForm extends LightElement {
  @property({ attribute: false }) api!: Api;
  @property({ attribute: false }) config!: PortalConfig;
  @property({ attribute: false }) agency!: Agency;
  @property({ attribute: false }) keys: AgencyKeys | null = null;

  @state() private caseNumber = "";
  @state() private incidentType = "";
  @state() private description = "";
  @state() private contact = "";
  @state() private start = "";
  @state() private end = "";
  @state() private area: Area = { latitude: 0, longitude: 0, radius_m: 400 };
  @state() private problem: { field: FieldName; message: string } | null = null;
  @state() private checked: "idle" | "checking" | "ok" | "refused" = "idle";
  @state() private busy = false;
  @state() private sent: AgencyRequest | null = null;
  @state() private error = "";

  @query(".area-map-holder") private mapHolder!: HTMLElement;
  private map: AreaMap | null = null;
  private readonly checker = new Debouncer<HubError | null>(
    CHECK_MS,
    () => this.api.check(this.terms()),
    (refusal) => this.showCheck(refusal),
    (err) => {
      this.checked = "idle";
      this.error = messageOf(err);
    },
  );

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.start) {
      const end = new Date(Date.now() - 5 * 60_000);
      end.setSeconds(0, 0);
      this.end = dateToLocal(end);
      this.start = dateToLocal(new Date(end.getTime() - 3600_000));
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.checker.cancel();
    this.map?.destroy();
    this.map = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("config") && this.config) {
      this.area = centreOf(this.config);
      if (!this.incidentType) this.incidentType = this.config.incident_types[0] ?? "";
    }
  }

  protected override updated(): void {
    if (!this.map && this.mapHolder && this.config) {
      this.map = new AreaMap(this.mapHolder, {
        tiles: usableTiles(this.config.tiles),
        cells: this.config.density.cells,
        cellM: this.config.density.cell_m,
        area: this.area,
        onChange: (area) => {
          this.area = area;
          this.changed();
        },
      });
    }
  }

  terms(): RequestTerms {
    return {
      case_number: this.caseNumber,
      incident_type: this.incidentType,
      description: this.description,
      contact: this.contact,
      window_start: localToUtc(this.start),
      window_end: localToUtc(this.end),
      area: { ...this.area },
    };
  }

  private changed(): void {
    this.sent = null;
    this.error = "";
    this.checked = "checking";
    this.checker.poke();
  }

  private showCheck(refusal: HubError | null): void {
    this.checked = refusal ? "refused" : "ok";
    this.problem = refusal ? { field: fieldOf(refusal), message: refusal.message } : null;
  }

  private input(setter: (value: string) => void) {
    return (event: Event) => {
      setter((event.target as HTMLInputElement).value);
      this.changed();
    };
  }

  private messageFor(field: FieldName) {
    if (this.problem?.field !== field) return nothing;
    return html`<p class="error field-error" role="alert" id="error-${field}" data-rule-message=${field}>
      ${this.problem.message}
    </p>`;
  }

  private radius(event: Event): void {
    const radius = clampRadius(Number((event.target as HTMLInputElement).value));
    this.area = { ...this.area, radius_m: radius };
    this.map?.setArea(this.area);
    this.changed();
  }

  override render() {
    if (!this.config) return nothing;
    const tiles = usableTiles(this.config.tiles);
    const invalid = (field: FieldName) => (this.problem?.field === field ? "true" : "false");
    return html`
      <section class="card request-form" aria-labelledby="new-title">
        <h2 id="new-title">New request</h2>
        ${this.keys
          ? nothing
          : html`<p class="notice" data-needs-keys>Import the agency's identity file (Keys) before sending: requests are signed in this browser.</p>`}
        <form @submit=${this.submit} novalidate>
          <fieldset class="area">
            <legend>Area</legend>
            <div class="area-map-holder" role="application" aria-label="Map: drag the marker to move the circle, the round handle to size it"></div>
            <p class="hint">
              ${tiles ? "Drag the marker or click the map to move the circle; drag the round handle to size it." : "No map tiles on this hub: a plain grid, with the homes' coarse density (shaded squares). Drag the marker or click to move the circle."}
            </p>
            <label for="radius">Radius: <output data-radius>${this.area.radius_m} m</output></label>
            <input id="radius" type="range" min=${MIN_RADIUS_M} max=${MAX_RADIUS_M} step="1" .value=${String(this.area.radius_m)} @input=${this.radius} aria-invalid=${invalid("area")} />
            <p class="hint mono" data-centre>${this.area.latitude.toFixed(5)}, ${this.area.longitude.toFixed(5)}</p>
            ${this.messageFor("area")}
          </fieldset>
          <div class="fields">
            <div class="field">
              <label for="case_number">Case number</label>
              <input id="case_number" .value=${this.caseNumber} @input=${this.input((v) => (this.caseNumber = v))} autocomplete="off" aria-invalid=${invalid("case_number")} aria-describedby="error-case_number" />
              ${this.messageFor("case_number")}
            </div>
            <div class="field">
              <label for="incident_type">Incident</label>
              <select id="incident_type" .value=${this.incidentType} @change=${this.input((v) => (this.incidentType = v))} aria-invalid=${invalid("incident_type")}>
                ${this.config.incident_types.map((t) => html`<option value=${t} ?selected=${t === this.incidentType}>${t.replace(/_/g, " ")}</option>`)}
              </select>
              ${this.messageFor("incident_type")}
            </div>
            <div class="field wide">
              <label for="description">Description</label>
              <textarea id="description" rows="3" .value=${this.description} @input=${this.input((v) => (this.description = v))} aria-invalid=${invalid("description")}></textarea>
              ${this.messageFor("description")}
            </div>
            <div class="field wide">
              <label for="contact">Contact (shown to the homes asked)</label>
              <input id="contact" .value=${this.contact} @input=${this.input((v) => (this.contact = v))} aria-invalid=${invalid("contact")} />
              ${this.messageFor("contact")}
            </div>
            <div class="field wide">
              <label for="window_start">Window start (your time)</label>
              <input id="window_start" type="datetime-local" step="1" .value=${this.start} @input=${this.input((v) => (this.start = v))} aria-invalid=${invalid("window_start")} />
              ${this.messageFor("window_start")}
            </div>
            <div class="field wide">
              <label for="window_end">Window end (your time)</label>
              <input id="window_end" type="datetime-local" step="1" .value=${this.end} @input=${this.input((v) => (this.end = v))} aria-invalid=${invalid("window_end")} />
              ${this.messageFor("window_end")}
            </div>
          </div>
          ${this.messageFor("form")}
          <p class="check-state" data-check=${this.checked} aria-live="polite">
            ${{ idle: "", checking: "Checking the hub's rules…", ok: "The hub's rules are met.", refused: "" }[this.checked]}
          </p>
          ${this.error ? html`<p class="error" role="alert" data-error>${this.error}</p>` : nothing}
          <button type="submit" ?disabled=${this.busy || !this.keys}>${this.busy ? "Signing and sending…" : "Sign and send"}</button>
        </form>
        ${this.sent
          ? html`<div class="sent" role="status" data-sent=${this.sent.id}>
              <p><strong>Sent.</strong> Homes reached: <span data-homes-reached>${String(this.sent.homes_reached)}</span></p>
              <p class="hint">Case <span class="mono">${this.sent.case_number}</span>; it expires ${formatTime(this.sent.expires_at)}.</p>
            </div>`
          : nothing}
      </section>
    `;
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.keys || this.busy) return;
    this.busy = true;
    this.error = "";
    try {
      const terms = this.terms();
      const refusal = await this.checker.flush();
      if (refusal) return;
      const body = await signRequest(this.keys.signing, terms, this.agency.agency_id);
      this.sent = await this.api.postRequest(body);
      this.tell("request-sent", this.sent);
    } catch (err) {
      if (err instanceof HubError && err.status === 422) {
        this.showCheck(err);
      } else {
        this.error = messageOf(err);
      }
    } finally {
      this.busy = false;
    }
  }
}
