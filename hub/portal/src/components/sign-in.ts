import { html } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { HubError, type Api } from "../api.js";
import type { Session } from "../types.js";
import { LightElement, messageOf } from "./base.js";

/** The API key, exchanged for the session cookie; the input is cleared at once. */
@customElement("porchlight-sign-in")
export class SignIn extends LightElement {
  @property({ attribute: false }) api!: Api;
  /** Why the agency is here: signed out, or the session expired. */
  @property() notice = "";
  @state() private error = "";
  @state() private busy = false;

  override render() {
    return html`
      <section class="card sign-in" aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">Sign in</h2>
        ${this.notice ? html`<p class="notice" role="status" data-notice>${this.notice}</p>` : null}
        <form @submit=${this.submit}>
          <label for="api-key">Agency API key</label>
          <input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck="false" required />
          <p class="hint">The key the hub's operator gave you. It is exchanged for a session and not kept by this page.</p>
          ${this.error ? html`<p class="error" role="alert" data-error>${this.error}</p>` : null}
          <button type="submit" ?disabled=${this.busy}>${this.busy ? "Signing in…" : "Sign in"}</button>
        </form>
      </section>
    `;
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const input = this.querySelector<HTMLInputElement>("#api-key");
    if (!input) return;
    const key = input.value.trim();
    input.value = "";
    if (!key) return;
    this.busy = true;
    this.error = "";
    try {
      const session: Session = await this.api.signIn(key);
      this.tell("signed-in", session);
    } catch (err) {
      if (err instanceof HubError && err.status === 429 && err.retryAfter) {
        this.error = `${err.message} Try again in ${err.retryAfter} s.`;
      } else {
        this.error = messageOf(err);
      }
    } finally {
      this.busy = false;
    }
  }
}
