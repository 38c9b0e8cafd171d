import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard, built once (`npm run build:web`, run by `npm ci` and the image build) into web/dist,
// which the API serves at `/`. Preact's JSX through Vite's own transform: no Babel, no plugin.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle: the whole dashboard is a few dozen kilobytes.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
