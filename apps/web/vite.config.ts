import { defineConfig } from 'vite';

// The web client: built into www/, which the gateway serves at / (WEB_CLIENT).
// `npx vite` in this folder serves it for development, against a gateway on :8080
// (VITE_GATEWAY overrides) for the API and the WebSocket.
const gateway = process.env.VITE_GATEWAY ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'www',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One small app: a single chunk loads faster than a waterfall of tiny ones.
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      '/api': gateway,
      '/ws': { target: gateway.replace(/^http/, 'ws'), ws: true },
    },
  },
});
