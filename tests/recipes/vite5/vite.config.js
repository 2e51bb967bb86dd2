// Vite 5: its dependency pre-bundling would move whyroute's modules away from their wasm
// (dev then serves index.html for whyroute_bg.wasm), and its default build target predates
// top-level await.
export default {
  optimizeDeps: { exclude: ['whyroute'] },
  build: { target: 'es2022' },
};
