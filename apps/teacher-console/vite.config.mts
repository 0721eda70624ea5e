// The console's build: React with Vite, into dist/console at the repository root, which the hub
// serves at / (apps/hub/src/console). `vite` alone serves it for development and passes /api and
// /socket.io to a hub on http://localhost:8080 (or HUB_URL).
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** The first screen's JavaScript, gzipped, may be at most this (issue 11). */
const FIRST_SCREEN_BUDGET_KB = 300;

/**
 * Prints the JavaScript the first screen loads (the entry and what it imports statically,
 * gzipped) and fails the build when it is over the budget. Pages loaded later are not counted.
 */
function firstScreenBudget(): Plugin {
  return {
    name: 'first-screen-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map(
        Object.values(bundle).flatMap((item) =>
          item.type === 'chunk' ? [[item.fileName, item]] : [],
        ),
      );
      const entry = [...chunks.values()].find((chunk) => chunk.isEntry);
      if (!entry) {
        return;
      }
      const seen = new Set<string>();
      const visit = (fileName: string) => {
        const chunk = chunks.get(fileName);
        if (!chunk || seen.has(fileName)) {
          return;
        }
        seen.add(fileName);
        chunk.imports.forEach(visit);
      };
      visit(entry.fileName);
      const bytes = [...seen].reduce(
        (sum, fileName) => sum + gzipSync(chunks.get(fileName)?.code ?? '').length,
        0,
      );
      const kb = Math.round(bytes / 102.4) / 10;
      this.info(`first screen JavaScript: ${kb} kB gzipped (budget ${FIRST_SCREEN_BUDGET_KB} kB)`);
      if (kb > FIRST_SCREEN_BUDGET_KB) {
        this.error(
          `The first screen's JavaScript is ${kb} kB gzipped, over ${FIRST_SCREEN_BUDGET_KB} kB`,
        );
      }
    },
  };
}

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));
const hub = process.env.HUB_URL ?? 'http://localhost:8080';

export default defineConfig({
  root,
  plugins: [react(), firstScreenBudget()],
  // Only the browser-safe files of the libraries: never their barrels, which reach Node code.
  resolve: {
    alias: [
      { find: /^@app\/hub-api$/, replacement: `${repo}libs/hub-api/src/index.ts` },
      { find: /^@app\/devices\/(.*)$/, replacement: `${repo}libs/devices/src/$1` },
      { find: /^@app\/policy\/(.*)$/, replacement: `${repo}libs/policy/src/$1` },
    ],
  },
  build: {
    outDir: `${repo}dist/console`,
    emptyOutDir: true,
    // The hub's Content-Security-Policy allows no inline script or data: script.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
    sourcemap: false,
    // Vite's warning is about minified size; our budget is the gzipped first screen (above).
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/api': hub,
      '/socket.io': { target: hub, ws: true },
    },
  },
});
