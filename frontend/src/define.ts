// HA may load this module twice (the panel's module_url and add_extra_js_url with a
// different query): defining an element twice throws, so every definition goes here.

export function defineOnce(name: string, element: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, element);
}

export interface CustomCardInfo {
  type: string;
  name: string;
  description: string;
  preview: boolean;
  documentationURL?: string;
}

declare global {
  interface Window {
    customCards?: CustomCardInfo[];
  }
}

/** Lists the card in the dashboard card picker, once however often this runs. */
export function registerCustomCard(info: CustomCardInfo): void {
  const cards = (window.customCards ??= []);
  if (!cards.some((card) => card.type === info.type)) cards.push(info);
}

/** The event HA listens for; bubbles out of shadow roots like HA's own fireEvent. */
export function fireEvent(node: EventTarget, type: string, detail?: unknown): void {
  node.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail }));
}

/**
 * A property set on an element before its class upgraded it (HA may create the element
 * first) is an own property that hides the class's setter: hand it to the setter.
 */
export function upgradeProperty(element: object, name: string): void {
  if (Object.prototype.hasOwnProperty.call(element, name)) {
    const record = element as Record<string, unknown>;
    const value = record[name];
    delete record[name];
    record[name] = value;
  }
}
