// One ES module, committed as custom_components/porchlight/frontend/porchlight-panel.js.
// The output must be byte-for-byte reproducible (scripts/frontend check): a fixed
// file name, no hashes, no timestamps, everything (Lit included) bundled in.
import { defineConfig } from "vite";

export default defineConfig({
  build: {
    lib: {
      entry: "src/index.ts",
      formats: ["es"],
      fileName: () => "porchlight-panel.js",
    },
    outDir: "../custom_components/porchlight/frontend",
    // The folder holds only the bundle, but it is outside frontend/: never wipe it.
    emptyOutDir: false,
    target: "es2021",
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    copyPublicDir: false,
    rolldownOptions: {
      // Library mode keeps whitespace by default; the bundle is for browsers, not readers.
      output: {
        minify: true,
        postBanner:
          "/*! Porchlight consent panel and card. Built from frontend/ by scripts/frontend build; do not edit. " +
          "Includes Lit (BSD-3-Clause, Copyright Google LLC). */",
      },
    },
  },
});
