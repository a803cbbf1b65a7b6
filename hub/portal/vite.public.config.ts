// The hub's server-rendered public page (GET /) gets one classic script and one
// stylesheet: hub/porchlight_hub/web/static/public-map.js and public.css (served at
// /static/). The script turns every <div class="area-map"> into a map of its circle.
// A self-contained IIFE, so the page may load it with or without type="module".
import { defineConfig } from "vite";

export default defineConfig({
  publicDir: false,
  build: {
    lib: {
      entry: "src/public/public-map.ts",
      formats: ["iife"],
      name: "PorchlightPublicMap",
      fileName: () => "public-map.js",
      cssFileName: "public",
    },
    outDir: "../porchlight_hub/web/static",
    // The folder also holds the portal: never wipe it.
    emptyOutDir: false,
    target: "es2020",
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    assetsInlineLimit: 0,
    rolldownOptions: {
      // A slow machine's plugin timings are not a problem to report on every build.
      checks: { pluginTimings: false },
      output: {
        minify: true,
        assetFileNames: (asset) =>
          asset.names.some((n) => n.endsWith(".css")) ? "public.css" : "public-assets/[name][extname]",
        postBanner:
          "/*! Porchlight public page map. Built from hub/portal/ by scripts/frontend build; do not edit. " +
          "Includes Leaflet (BSD-2-Clause, Copyright Vladimir Agafonkin, CloudMade). */",
      },
    },
  },
});
