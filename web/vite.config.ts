import { defineConfig } from "vite";

// A plain SPA: the dev server and `vite preview` answer /callback and /silent-renew with index.html.
export default defineConfig({
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  preview: { host: "127.0.0.1", strictPort: true },
  build: { outDir: "dist", emptyOutDir: true },
});
