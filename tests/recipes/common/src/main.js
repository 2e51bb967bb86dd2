// The page every bundler recipe builds: the docs embed renders the <pre class="whyroute">,
// and the API answers the same question (top-level await, as the README shows).
import 'whyroute/embed';
import { splitPaste } from 'whyroute/embed';
import { init, routeGet } from 'whyroute';

await init();
const { paste, flow } = splitPaste(document.querySelector('#seed').textContent);
const r = routeGet(paste, flow);
document.querySelector('#api').textContent = r.error !== undefined ? `error: ${r.error}` : `${r.dev} via ${r.gateway} table ${r.table ?? 'main'}`;
