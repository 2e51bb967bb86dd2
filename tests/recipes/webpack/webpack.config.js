// webpack 5 needs nothing for whyroute: `new URL('whyroute_bg.wasm', import.meta.url)` becomes
// an asset, and top-level await is on by default. The page is the recipe's index.html.
export default {
  entry: './src/main.js',
  output: { path: new URL('./dist/assets', import.meta.url).pathname, filename: 'main.js', publicPath: 'auto', clean: true },
};
