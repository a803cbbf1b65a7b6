// Small template pieces every view uses the same way.
import { html, type TemplateResult } from "lit";
import { strings } from "../strings";

/** An error next to what failed: announced (role=alert) and dismissible. */
export function renderAlert(message: string, onDismiss: () => void): TemplateResult {
  return html`<div class="alert" role="alert">
    <span>${message}</span>
    <button class="icon-btn" aria-label=${strings.dismiss} title=${strings.dismiss} @click=${onDismiss}>
      <svg viewBox="0 0 24 24" aria-hidden="true">
        <path
          d="M19,6.41L17.59,5L12,10.59L6.41,5L5,6.41L10.59,12L5,17.59L6.41,19L12,13.41L17.59,19L19,17.59L13.41,12L19,6.41Z"
        ></path>
      </svg>
    </button>
  </div>`;
}

/** A button's label, or a spinner and the busy text while its action runs. */
export function renderBusyLabel(busy: boolean, idle: string, working: string): TemplateResult {
  return busy
    ? html`<span class="spinner" aria-hidden="true"></span><span>${working}</span>`
    : html`${idle}`;
}
