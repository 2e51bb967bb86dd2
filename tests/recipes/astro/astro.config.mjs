// The fence's language is whyroute's, not Shiki's: highlighted as a log, marked data-language="whyroute".
export default {
  markdown: { shikiConfig: { langAlias: { whyroute: 'log' } } },
};
