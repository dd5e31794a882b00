import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Builds into the server's wwwroot; `npm run dev` proxies /api to a local `gantry serve`.
const server = process.env.GANTRY_URL ?? 'http://127.0.0.1:5080';

export default defineConfig({
  plugins: [react()],
  base: './',
  build: { outDir: '../Server/wwwroot', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': server } },
  preview: { proxy: { '/api': server } },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
