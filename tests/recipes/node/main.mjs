// The README's Node example: init() finds whyroute_bg.wasm by itself.
import { readFileSync } from 'node:fs';
import { init, routeGet } from 'whyroute';

await init();
const paste = readFileSync(new URL('../common/seed.txt', import.meta.url), 'utf8');
console.log(JSON.stringify(routeGet(paste, { dst: '192.168.10.10', ipproto: 'udp', dport: 53 })));
