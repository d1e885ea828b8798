// The app's page shell: our stylesheet and at most one script of our own, Japanese first with an English switch. The
// stylesheet, and the citizen's script, are written into the page (allowed by their hashes in the Content-Security-
// Policy, nothing else inline): a citizen on a slow line waits for one round trip, not three.
import { html, raw } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import type { Assets, EntryName } from './assets.ts';

export type Lang = 'ja' | 'en';
export const t = (lang: Lang, ja: string, en: string) => (lang === 'ja' ? ja : en);

export interface PageOptions {
  readonly lang: Lang;
  readonly title: string;
  readonly body: SafeHtml;
  readonly assets: Assets;
  readonly script?: EntryName;
  /** data-* attributes on <body> for the script. */
  readonly data?: Record<string, string>;
  readonly head?: SafeHtml;
}

export function page(o: PageOptions): SafeHtml {
  // data-* names are ours (letters and dashes); their values are text.
  const data = Object.entries(o.data ?? {}).map(([k, v]) => html` ${raw(`data-${k.replace(/[^a-z-]/g, '')}`)}="${v}"`);
  const inlineScript = o.script === 'citizen';
  const script = o.script && !inlineScript && html`<script src="${o.assets.js[o.script]}" defer></script>`;
  // At the end of the body the page is parsed when it runs, as with defer.
  const after = inlineScript && html`<script>${raw(o.assets.inline.citizenJs)}</script>`;
  return html`<!doctype html><html lang="${o.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${o.title}</title><style>${raw(o.assets.inline.css)}</style>${o.head}${script}</head><body${data}><main>${o.body}</main>${after}</body></html>`;
}

/** Query string that keeps the language and the entry point across the steps. */
export function keep(lang: Lang, via: string, extra = ''): string {
  const q = [lang === 'en' ? 'lang=en' : '', via !== 'link' ? `via=${via}` : '', extra].filter(Boolean).join('&');
  return q ? `?${q}` : '';
}

/** A page that says what went wrong and what to do: Japanese first, the English below, then an optional way on. */
export function sorryPage(assets: Assets, heading: readonly [ja: string, en: string], ja: string, en: string, after?: SafeHtml): SafeHtml {
  return page({
    lang: 'ja',
    assets,
    title: `${heading[0]} / ${heading[1]}`,
    body: html`<h1>${heading[0]}</h1><div class="box stop"><p>${ja}</p></div><p class="en" lang="en">${en}</p>${after}`,
  });
}
