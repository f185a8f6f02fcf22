/** Preact with htm's tagged templates: no JSX step, no `eval`, so the strict CSP holds. */
export { html } from 'htm/preact';
