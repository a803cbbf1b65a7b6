// The agency portal: app/index.html and its one script and stylesheet, built into
// hub/porchlight_hub/web/static/portal/ (the hub serves it at /agency/). The output is
// committed and must be byte-for-byte reproducible (scripts/frontend check): fixed file
// names, no hashes, no timestamps, everything (Lit, Leaflet, age-encryption) bundled.
// The hub's CSP is script-src 'self'; style-src 'self': no inline script or style.
import { defineConfig } from "vite";

export default defineConfig({
  root: "app",
  base: "./",
  publicDir: false,
  build: {
    outDir: "../../porchlight_hub/web/static/portal",
    emptyOutDir: true,
    target: "es2022",
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    // Every asset a file of its own: the CSP need not allow data: URLs.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    rolldownOptions: {
      // A slow machine's plugin timings are not a problem to report on every build.
      checks: { pluginTimings: false },
      output: {
        entryFileNames: "assets/portal.js",
        chunkFileNames: "assets/[name].js",
        assetFileNames: (asset) =>
          asset.names.some((n) => n.endsWith(".css")) ? "assets/portal.css" : "assets/[name][extname]",
      },
    },
  },
});
