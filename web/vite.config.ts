// Builds the browser UI into web/dist, which `cumulus serve` serves at / (src/http/web.ts).
// Run from the repository root as `vite build web` (npm run build:web).
import react from '@vitejs/plugin-react';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** Text assets also as .br and .gz beside them, compressed once here rather than on every request. */
function precompress(): Plugin {
  return {
    name: 'cumulus-precompress',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (!/\.(js|css|svg|html|json)$/.test(file.fileName)) continue;
        const source = file.type === 'chunk' ? file.code : file.source;
        const bytes = typeof source === 'string' ? Buffer.from(source) : Buffer.from(source);
        if (bytes.length < 1024) continue;
        const brotli = brotliCompressSync(bytes, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
        });
        this.emitFile({ type: 'asset', fileName: `${file.fileName}.br`, source: brotli });
        this.emitFile({ type: 'asset', fileName: `${file.fileName}.gz`, source: gzipSync(bytes, { level: 9 }) });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
  // The server swaps this placeholder for a fresh nonce on every page load, so the app's
  // Content-Security-Policy can name its scripts and Mantine's style tags without 'unsafe-inline'.
  html: { cspNonce: '__CSP_NONCE__' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under /assets/ are served with a year-long cache (src/http/web.ts).
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `vite web` during development: the API and WebDAV come from a running `npm run dev`.
    proxy: { '/api': 'http://127.0.0.1:5280', '/dav': 'http://127.0.0.1:5280' },
  },
});
