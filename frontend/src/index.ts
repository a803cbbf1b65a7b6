// The bundle's entry: defines every element once (the module may load twice) and
// lists the card in the dashboard card picker.
import { PorchlightRequestsCard, CARD_TYPE } from "./card";
import { PorchlightRequestsCardEditor } from "./card-editor";
import { PorchlightLedgerView } from "./components/ledger-view";
import { PorchlightRequestItem } from "./components/request-item";
import { PorchlightRelativeTime } from "./components/relative-time";
import { PorchlightRequestsView } from "./components/requests-view";
import { PorchlightShareItem } from "./components/share-item";
import { PorchlightSharesView } from "./components/shares-view";
import { defineOnce, registerCustomCard } from "./define";
import { PorchlightPanel } from "./panel";
import { strings } from "./strings";

export function defineAll(): void {
  defineOnce("porchlight-relative-time", PorchlightRelativeTime);
  defineOnce("porchlight-request-item", PorchlightRequestItem);
  defineOnce("porchlight-requests-view", PorchlightRequestsView);
  defineOnce("porchlight-share-item", PorchlightShareItem);
  defineOnce("porchlight-shares-view", PorchlightSharesView);
  defineOnce("porchlight-ledger-view", PorchlightLedgerView);
  defineOnce("porchlight-panel", PorchlightPanel);
  defineOnce(CARD_TYPE, PorchlightRequestsCard);
  defineOnce("porchlight-requests-card-editor", PorchlightRequestsCardEditor);
  registerCustomCard({
    type: CARD_TYPE,
    name: strings.cardName,
    description: strings.cardDescription,
    preview: false,
  });
}

/**
 * Home Assistant's app swaps `window.customElements` for a scoped-registry polyfill as
 * it starts, and this module (loaded for the card with `add_extra_js_url`, beside the
 * app) can run first: elements defined before the swap are unknown to the registry HA
 * then asks, so the card says "Custom element doesn't exist" and the panel stays blank.
 * On HA's page, until its app has defined <home-assistant>, wait for that.
 */
export function defineWhenHomeAssistantIsReady(): Promise<void> {
  const appPending =
    typeof document !== "undefined" &&
    document.querySelector("home-assistant") !== null &&
    !customElements.get("home-assistant");
  if (!appPending) {
    defineAll();
    return Promise.resolve();
  }
  return customElements.whenDefined("home-assistant").then(defineAll);
}

void defineWhenHomeAssistantIsReady();
