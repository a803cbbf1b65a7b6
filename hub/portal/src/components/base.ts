// Every portal element renders into the light DOM: one stylesheet (portal.css, a file,
// as the CSP wants) styles the page and Leaflet's map alike. Lit's templates still
// escape every value: nothing from the hub is ever parsed as HTML.
import { LitElement } from "lit";

export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** An event the shell listens for. */
  protected tell<T>(name: string, detail?: T): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
