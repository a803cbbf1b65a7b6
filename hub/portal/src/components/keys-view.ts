import { html } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { importIdentity } from "../identity.js";
import { forgetKeys, saveKeys, type StoredKeys } from "../keystore.js";
import type { Agency } from "../types.js";
import { LightElement, messageOf } from "./base.js";

/** Import the identity file once; its keys become non-extractable CryptoKeys. */
@customElement("porchlight-keys")
export class KeysView extends LightElement {
  @property({ attribute: false }) agency!: Agency;
  @property({ attribute: false }) stored: StoredKeys | null = null;
  @state() private error = "";
  @state() private busy = false;

  override render() {
    const stored = this.stored;
    return html`
      <section class="card keys" aria-labelledby="keys-title">
        <h2 id="keys-title">Keys</h2>
        ${stored
          ? html`<p class="ok" data-keys-status="ready">
                The agency's keys are in this browser${stored.persistent ? "" : " for this session only (this browser refuses to store them)"}:
                they sign requests and open shared clips, and cannot be read back out.
              </p>
              <dl class="facts">
                <dt>Age recipient</dt>
                <dd class="mono">${stored.keys.recipient}</dd>
                <dt>Signing key</dt>
                <dd class="mono">${stored.keys.signingKey}</dd>
              </dl>
              <button type="button" class="secondary" @click=${this.forget}>Remove the keys from this browser</button>`
          : html`<p data-keys-status="missing">
              Import the agency's identity file (made by <code>porchlight-agency keygen</code>) once. It stays on this
              computer: the keys are kept in this browser and never sent to the hub.
            </p>`}
        <label for="identity-file">${stored ? "Import another identity file" : "Identity file"}</label>
        <input id="identity-file" type="file" @change=${this.picked} ?disabled=${this.busy} />
        ${this.error ? html`<p class="error" role="alert" data-error>${this.error}</p>` : null}
      </section>
    `;
  }

  private async picked(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    this.busy = true;
    this.error = "";
    try {
      if (file.size > 64 * 1024) throw new Error("That file is too big to be an identity file.");
      const text = await file.text();
      input.value = "";
      const keys = await importIdentity(text, this.agency);
      const stored = await saveKeys(this.agency.agency_id, keys);
      this.tell("keys-changed", stored);
    } catch (err) {
      input.value = "";
      this.error = messageOf(err);
    } finally {
      this.busy = false;
    }
  }

  private async forget(): Promise<void> {
    await forgetKeys(this.agency.agency_id);
    this.tell("keys-changed", null);
  }
}
