// Ruby (furigana) in the texts the citizen reads. Admins write it the way Japanese e-texts do (青空文庫 style):
//   ｜死体検案書《したいけんあんしょ》  — explicit base after ｜ (or |)
//   検案書《けんあんしょ》              — without ｜, the run of kanji just before 《
// Everything else is escaped. Pure.
import { html } from '../../core/html.ts';
import type { SafeHtml } from '../../core/html.ts';

const KANJI = /[\p{Script=Han}々〆ヵヶ]/u;

export interface RubyPart {
  readonly text: string;
  readonly ruby?: string;
}

/** Splits a text into plain parts and parts with a reading. Never throws; text without markup is one part. */
export function parseRuby(input: string): RubyPart[] {
  const parts: RubyPart[] = [];
  let plain = '';
  let i = 0;
  const chars = [...input];
  while (i < chars.length) {
    const ch = chars[i]!;
    if (ch === '｜' || ch === '|') {
      const open = chars.indexOf('《', i + 1);
      const close = open > i + 1 ? chars.indexOf('》', open + 1) : -1;
      if (open > i + 1 && close > open + 1 && !chars.slice(i + 1, open).some((c) => c === '｜' || c === '|' || c === '》')) {
        if (plain) parts.push({ text: plain });
        plain = '';
        parts.push({ text: chars.slice(i + 1, open).join(''), ruby: chars.slice(open + 1, close).join('') });
        i = close + 1;
        continue;
      }
    }
    if (ch === '《') {
      const close = chars.indexOf('》', i + 1);
      const base = [...plain];
      let k = base.length;
      while (k > 0 && KANJI.test(base[k - 1]!)) k--;
      if (close > i + 1 && k < base.length) {
        const before = base.slice(0, k).join('');
        if (before) parts.push({ text: before });
        parts.push({ text: base.slice(k).join(''), ruby: chars.slice(i + 1, close).join('') });
        plain = '';
        i = close + 1;
        continue;
      }
    }
    plain += ch;
    i++;
  }
  if (plain) parts.push({ text: plain });
  return parts;
}

/** HTML with <ruby> for readings; <rp> keeps a reading in brackets where ruby is not shown. */
export const rubyHtml = (input: string): SafeHtml =>
  html`${parseRuby(input).map((p) => (p.ruby === undefined ? p.text : html`<ruby>${p.text}<rp>（</rp><rt>${p.ruby}</rt><rp>）</rp></ruby>`))}`;

/** The text without readings (for a page title, an email, a log of what was shown). */
export const rubyPlain = (input: string): string =>
  parseRuby(input)
    .map((p) => p.text)
    .join('');
