// The admin page's editor for what the in-meeting app shows: the consent text and the document checklist per
// consultation type. One row per item (Japanese, English, and for documents why it is needed); readings for hard
// kanji in 《》. Parsing the form is pure; the routes live in admin/index.ts.
import { html } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import type { ChecklistContent, ConsentContent, ContentKind } from '../embedded-app/state/content.ts';
import { itemId } from '../embedded-app/state/content.ts';
import type { ContentVersion } from '../embedded-app/state/content-store.ts';
import { rubyHtml } from '../embedded-app/state/ruby.ts';
import { actorName } from '../core/audit.ts';
import { formatJa } from '../core/time.ts';

export interface RowError {
  readonly field: string;
  readonly ja: string;
  readonly en: string;
}

type Values = Record<string, string>;
const EXTRA_ROWS = 3;
/** As the content schemas allow (embedded-app/state/content.ts). */
const MAX = { consent: { ja: 400, en: 400, whyJa: 0, whyEn: 0 }, checklist: { ja: 200, en: 200, whyJa: 300, whyEn: 300 } } as const;

export const isChecklistKey = (key: string) => /^[a-z0-9][a-z0-9-]{0,49}$/.test(key);

/** The form's rows → content, or the problems, each for one field. Empty rows are dropped; ids of kept items stay. */
export function parseRows(kind: ContentKind, body: Values): { ok: true; content: ConsentContent | ChecklistContent } | { ok: false; errors: RowError[] } {
  const fields = kind === 'consent' ? (['ja', 'en'] as const) : (['ja', 'en', 'whyJa', 'whyEn'] as const);
  const rows: Array<Record<string, string>> = [];
  const errors: RowError[] = [];
  for (let i = 0; i < 40; i++) {
    const row = Object.fromEntries(fields.map((f) => [f, String(body[`${f}_${i}`] ?? '').trim()]));
    const id = String(body[`id_${i}`] ?? '').trim();
    if (fields.every((f) => !row[f])) continue;
    if (!row.ja) errors.push({ field: `ja_${i}`, ja: '日本語の文を入れてください。', en: 'Enter the Japanese text.' });
    if (!row.en) errors.push({ field: `en_${i}`, ja: '英語の文も入れてください（英語表示で使います）。', en: 'Enter the English text.' });
    for (const f of fields) {
      const max = MAX[kind][f];
      if ((row[f] ?? '').length > max) errors.push({ field: `${f}_${i}`, ja: `${max}文字までにしてください。`, en: `At most ${max} characters.` });
    }
    rows.push({ ...row, id: /^[a-z0-9-]{1,40}$/.test(id) ? id : '' });
  }
  if (rows.length === 0) errors.push({ field: 'ja_0', ja: '項目を1つ以上入れてください。', en: 'Enter at least one item.' });
  const limit = kind === 'consent' ? 12 : 20;
  if (rows.length > limit) errors.push({ field: `ja_${limit}`, ja: `項目は${limit}個までです。`, en: `At most ${limit} items.` });
  if (errors.length) return { ok: false, errors };
  const taken = new Set<string>(rows.map((r) => r.id ?? '').filter(Boolean));
  const withIds = rows.map((r) => {
    if (r.id) return r;
    const id = itemId(r.ja!, taken);
    taken.add(id);
    return { ...r, id };
  });
  return kind === 'consent'
    ? { ok: true, content: { items: withIds.map((r) => ({ id: r.id!, ja: r.ja!, en: r.en! })) } }
    : { ok: true, content: { items: withIds.map((r) => ({ id: r.id!, ja: r.ja!, en: r.en!, whyJa: r.whyJa ?? '', whyEn: r.whyEn ?? '' })) } };
}

/** Form values from a content (for the editor's first view). */
export function valuesOf(content: ConsentContent | ChecklistContent): Values {
  const v: Values = {};
  content.items.forEach((item, i) => {
    for (const [k, value] of Object.entries(item)) v[`${k}_${i}`] = value;
  });
  return v;
}

export function editorHtml(o: {
  kind: ContentKind;
  key: string;
  action: string;
  csrf: string;
  values: Values;
  errors: RowError[];
  history: Array<ContentVersion<ConsentContent | ChecklistContent>>;
  active: ContentVersion<ConsentContent | ChecklistContent>;
}): SafeHtml {
  const count = Object.keys(o.values).filter((k) => /^ja_\d+$/.test(k)).length;
  const errorOf = (f: string) => o.errors.find((e) => e.field === f);
  const input = (name: string, label: string, rows = 2) => {
    const err = errorOf(name);
    return html`<label for="${name}">${label}</label>${err && html`<p class="error" id="${name}-error">${err.ja} <span class="en">${err.en}</span></p>`}<textarea class="short" id="${name}" name="${name}" rows="${rows}"${err && html` aria-invalid="true" aria-describedby="${name}-error"`}>${o.values[name] ?? ''}</textarea>`;
  };
  const rows = Array.from({ length: count + EXTRA_ROWS }, (_, i) => {
    const blank = i >= count;
    return html`<fieldset><legend>${blank ? `追加する項目 ${i + 1}（空のままなら追加しません）` : `項目 ${i + 1}`}</legend><input type="hidden" name="id_${i}" value="${o.values[`id_${i}`] ?? ''}">
${input(`ja_${i}`, o.kind === 'consent' ? 'お約束（日本語）' : '書類の名前（日本語）')}
${input(`en_${i}`, o.kind === 'consent' ? 'English' : 'Document (English)')}
${o.kind === 'checklist' && [input(`whyJa_${i}`, 'なぜ必要か（日本語）', 1), input(`whyEn_${i}`, 'Why (English)', 1)]}</fieldset>`;
  });
  const preview = html`<ol>${o.active.body.items.map((i) => html`<li>${rubyHtml(i.ja)}</li>`)}</ol>`;
  const history = o.history.map(
    (
      v,
    ) => html`<tr><td>${v.version === 0 ? '初期設定' : `第${v.version}版`}</td><td><code>${v.hash}</code></td><td>${v.createdAt ? formatJa(Date.parse(v.createdAt)) : '—'}</td><td>${v.createdBy ? actorName(v.createdBy) : '—'}</td><td>${v.note}</td>
<td>${v.hash === o.active.hash ? '使用中' : html`<form method="post" action="${o.action}/rollback"><input type="hidden" name="csrf" value="${o.csrf}"><input type="hidden" name="version" value="${v.version}"><button class="secondary" type="submit">この版に戻す</button></form>`}</td></tr>`,
  );
  return html`<p class="hint">市民が会議内アプリで読む文面です。むずかしい漢字には読みがなを付けられます: <code>個人情報《こじんじょうほう》</code> または <code>｜死体検案書《したいけんあんしょ》</code>。保存すると新しい版になり、同意の記録には読んだ版が残ります。</p>
<h2>いま表示している文面（第${o.active.version}版）</h2>${preview}
<h2>編集</h2>
<form method="post" action="${o.action}"><input type="hidden" name="csrf" value="${o.csrf}">
${rows}
<label for="note">変更のメモ</label><input type="text" id="note" name="note" maxlength="200" value="${o.values.note ?? ''}">
<div class="actions"><button type="submit">保存して新しい版にする</button></div></form>
<h2>これまでの版</h2><div class="table-wrap" tabindex="0" role="region" aria-label="表（はみ出すときは横に動かせます） / Table"><table><thead><tr><th>版</th><th>版の識別子</th><th>日時</th><th>保存した人</th><th>メモ</th><th>操作</th></tr></thead><tbody>${history}</tbody></table></div>`;
}
