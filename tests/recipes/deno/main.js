// whyroute under Deno: the package's ES modules through an import map (deno.json); init()
// reads whyroute_bg.wasm next to the module, as in Node.
import { init, routeGet } from 'whyroute';

await init();
const paste = await Deno.readTextFile(new URL('../common/seed.txt', import.meta.url));
console.log(JSON.stringify(routeGet(paste, { dst: '192.168.10.10', ipproto: 'udp', dport: 53 })));
