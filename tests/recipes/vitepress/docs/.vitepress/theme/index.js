// whyroute in VitePress: the embed is imported statically (it is SSR-safe: on the server it
// does nothing) and renders the ```whyroute fences once the app is mounted (after hydration,
// so Vue finds the DOM it rendered) and after every client-side navigation.
import DefaultTheme from 'vitepress/theme';
import { nextTick, onMounted } from 'vue';
import { render } from 'whyroute/embed';

export default {
  extends: DefaultTheme,
  enhanceApp({ router }) {
    router.onAfterRouteChange = () => nextTick(() => render());
  },
  setup() {
    onMounted(() => render());
  },
};
