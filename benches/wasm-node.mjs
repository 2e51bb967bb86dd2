// The npm package's engine (wasm, as built by `make pkg`) under node, on the 1,000,000-route
// `ip route show` dump that benches/vs-jc.sh and the criterion bench parse (issue #7: < 1 s).
//
//   make pkg && node benches/wasm-node.mjs [DUMP] [ROUNDS]
//
// DUMP defaults to target/bench-routes-1000000.txt, which benches/vs-jc.sh writes (or:
// target/release/examples/gen_routes 1000000 > FILE). WHYROUTE_PKG=DIR times another build of
// the package. Each call gets the pasted text and returns a small result, so the time is the
// text crossing into wasm plus the engine, not building a big JS object:
//   routeGet(text, {dst})  parse (analyze), one decision (a scan of the table: no index)
//   routeGet(bytes, {dst}) the same from the file's bytes (a Buffer): no string to encode
//   diagnose(text)         parse (analyze) and the host findings
// Prints the best of ROUNDS (default 3) wall-clock seconds of each.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = path.resolve(process.env.WHYROUTE_PKG ?? path.join(root, "pkg"));
const dump = process.argv[2] ?? path.join(root, "target", "bench-routes-1000000.txt");
const rounds = Math.max(1, Number(process.argv[3] ?? 3));

const whyroute = await import(pathToFileURL(path.join(pkg, "whyroute.js")).href);
whyroute.initSync({ module: fs.readFileSync(path.join(pkg, "whyroute_bg.wasm")) });

const text = fs.readFileSync(dump, "utf8");
const lines = text.split("\n").length - 1;
console.log(`whyroute ${whyroute.version()} (wasm, ${pkg}); node ${process.version}`);
console.log(`dump: ${dump} (${lines.toLocaleString("en")} lines, ${(text.length / 1e6).toFixed(1)} MB)`);

function best(name, call) {
  let best = Infinity;
  let result;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    result = call();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.min(best, s);
  }
  console.log(`${name.padEnd(34)} ${best.toFixed(3)} s (best of ${rounds})`);
  return result;
}

const dst = "10.1.2.3";
const r = best(`routeGet(text, {dst: "${dst}"})`, () => whyroute.routeGet(text, { dst }));
console.log(`  -> ${r.error ?? `${r.dst} ${r.gateway ? `via ${r.gateway} ` : ""}dev ${r.dev} table ${r.table ?? "main"}`}`);
const bytes = fs.readFileSync(dump);
const rb = best(`routeGet(bytes, {dst: "${dst}"})`, () => whyroute.routeGet(bytes, { dst }));
console.log(`  -> the same route: ${rb.dev === r.dev && rb.gateway === r.gateway && rb.table === r.table}`);
const d = best("diagnose(text)", () => whyroute.diagnose(text));
console.log(`  -> ${d.length} diagnostics`);
