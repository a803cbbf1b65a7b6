// <porchlight-requests-card-editor>: the card's visual editor. Like HA's own editors
// it fires `config-changed` with the whole new config; empty fields are left out.
import { LitElement, css, html, type TemplateResult } from "lit";
import type { Hass } from "./api";
import { CARD_TYPE, type CardConfig } from "./card";
import { fireEvent } from "./define";
import { strings } from "./strings";
import { baseStyles } from "./styles";

type Field = "title" | "config_entry_id";

export class PorchlightRequestsCardEditor extends LitElement {
  static override properties = {
    hass: { attribute: false },
    _config: { state: true },
  };

  declare hass: Hass | undefined;
  declare _config: CardConfig;

  constructor() {
    super();
    this.hass = undefined;
    this._config = { type: `custom:${CARD_TYPE}` };
  }

  setConfig(config: CardConfig): void {
    this._config = { ...config };
  }

  private onInput(field: Field, event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    const next: CardConfig = { ...this._config };
    if (value.trim()) next[field] = value;
    else delete next[field];
    this._config = next;
    fireEvent(this, "config-changed", { config: next });
  }

  private renderField(field: Field, label: string): TemplateResult {
    return html`<label>
      <span>${label}</span>
      <input
        type="text"
        name=${field}
        .value=${this._config[field] ?? ""}
        @input=${(e: Event) => this.onInput(field, e)}
      />
    </label>`;
  }

  protected override render(): TemplateResult {
    return html`<div class="editor">
      ${this.renderField("title", strings.editorTitle)}
      ${this.renderField("config_entry_id", strings.editorEntry)}
    </div>`;
  }

  static override styles = [
    baseStyles,
    css`
      .editor {
        display: flex;
        flex-direction: column;
        gap: 16px;
      }
      label {
        display: flex;
        flex-direction: column;
        gap: 4px;
        font-size: 14px;
      }
      input {
        min-height: 40px;
        padding: 0 12px;
        font: inherit;
        color: var(--primary-text-color, #212121);
        background: var(--card-background-color, #fff);
        border: 1px solid var(--divider-color, #c4c4c4);
        border-radius: 8px;
      }
    `,
  ];
}
