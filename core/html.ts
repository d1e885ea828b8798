// HTML for every server-rendered page (admin, console, citizen app, start page), safe by default: the `html` tag
// escapes every value put into it, unless the value is HTML already (made by `html` itself, or marked with `raw`).
// A page is a SafeHtml from its first tag to its last; only `send`-ing it turns it into a string. Pure.

/** HTML known to be safe: made by the `html` tag, or marked with `raw`. */
export class SafeHtml {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  toString(): string {
    return this.#value;
  }
}

/**
 * What a template takes: text and numbers (escaped), HTML (kept), lists of these (each in turn, nothing between), and
 * nothing at all (null, undefined, false: left out, so that `${cond && html`…`}` reads naturally).
 */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | ReadonlyArray<HtmlValue>;

/** Text or attribute value → safe HTML text (the five characters that matter in text and in quoted attributes). */
export const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function render(v: HtmlValue): string {
  if (v instanceof SafeHtml) return v.toString();
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  return esc(v);
}

/** The template tag: every `${value}` is escaped unless it is SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: ReadonlyArray<HtmlValue>): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/**
 * Marks a string as HTML, not text. Only for what this code made and knows to be HTML (our own stylesheets, a
 * rendered template preview sandboxed in an iframe, readings rendered by embedded-app/state/ruby.ts from escaped text).
 */
export const raw = (trusted: string) => new SafeHtml(trusted);

/** Parts with a separator between them (the separator is HTML too). */
export const joinHtml = (parts: ReadonlyArray<HtmlValue>, separator: SafeHtml = raw('')): SafeHtml => raw(parts.map(render).join(separator.toString()));
