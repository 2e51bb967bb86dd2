export default {
  title: 'whyroute recipe',
  head: [['link', { rel: 'icon', href: 'data:,' }]],
  // The fence's language is whyroute's, not Shiki's: highlighted as a log, marked language-whyroute.
  markdown: { languageAlias: { whyroute: 'log' } },
};
