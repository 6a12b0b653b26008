import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The hub serves web/dist and the API on the same origin. For `vite` (dev server) the API and the
// Socket.IO endpoint are proxied to a running hub: ANXIN_HUB_URL, default http://127.0.0.1:8080.
const hub = process.env.ANXIN_HUB_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // Use @anxin/protocol from its TypeScript sources (its `source` export condition): no build step.
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 300,
    rolldownOptions: {
      // Libraries change less often than the console: separate chunks stay cached across releases.
      output: {
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            {
              name: 'mantine',
              test: /node_modules[\\/](@mantine|@floating-ui|react-remove-scroll|tslib|@tabler)/,
            },
            {
              name: 'socket',
              test: /node_modules[\\/](socket\.io-client|engine\.io-client|socket\.io-parser|engine\.io-parser|@socket\.io|debug|ms)[\\/]/,
            },
          ],
        },
      },
      // @anxin/protocol's index also exports Node-only config loading and TypeBox schemas; the
      // console uses only its constants and types, so let the bundler drop the rest.
      treeshake: {
        moduleSideEffects: [{ test: /[\\/]protocol[\\/]src[\\/]/, sideEffects: false }],
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: hub, changeOrigin: false },
      '/healthz': { target: hub },
      '/socket.io': { target: hub, ws: true },
    },
  },
});
