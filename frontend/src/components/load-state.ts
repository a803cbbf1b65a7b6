// "Loading…" or "Could not load X" with a retry button, for a collection not shown yet.
import { html, nothing, type TemplateResult } from "lit";
import type { Loadable } from "../data";
import { strings } from "../strings";

export function renderLoadState(
  state: Loadable<unknown>,
  what: string,
  onRetry: (() => void) | undefined,
): TemplateResult {
  if (state.error) {
    return html`<div class="alert load-error" role="alert">
      <span>${strings.loadFailed(what.toLowerCase())} ${state.error}</span>
      ${onRetry
        ? html`<button class="btn" ?disabled=${state.loading} @click=${onRetry}>${strings.retry}</button>`
        : nothing}
    </div>`;
  }
  return html`<p class="loading secondary" role="status">${strings.loading}</p>`;
}
