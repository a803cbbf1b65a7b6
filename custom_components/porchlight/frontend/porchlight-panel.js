// Placeholder until the built bundle (frontend/, TypeScript + Lit) lands:
// an empty ES module, so the static path and the card's URL can be tested.
export {};
