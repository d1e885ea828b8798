// What the citizen reads and answers in the app: the consent text and the document checklists per consultation type.
// Built-in defaults here (plain, short Japanese first; readings for hard words in 《》, see ruby.ts); admins edit them in
// /admin/app, and every version is kept (content-store.ts). A version is the hash of exactly what is shown. Pure.
import { createHash } from 'node:crypto';
import { z } from 'zod';

const line = (max: number) => z.string().trim().max(max);

export const ConsentItemSchema = z.object({ id: z.string().regex(/^[a-z0-9-]{1,40}$/), ja: line(400).min(1), en: line(400).min(1) });
export const ChecklistItemSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/),
  ja: line(200).min(1),
  en: line(200).min(1),
  whyJa: line(300),
  whyEn: line(300),
});
export const ConsentContentSchema = z.object({ items: z.array(ConsentItemSchema).min(1).max(12) });
export const ChecklistContentSchema = z.object({ items: z.array(ChecklistItemSchema).min(1).max(20) });

export type ConsentItem = z.infer<typeof ConsentItemSchema>;
export type ChecklistItem = z.infer<typeof ChecklistItemSchema>;
export type ConsentContent = z.infer<typeof ConsentContentSchema>;
export type ChecklistContent = z.infer<typeof ChecklistContentSchema>;
export type ContentKind = 'consent' | 'checklist';

/** The version of a content: the hash of exactly what is shown, in both languages. */
export const contentHash = (kind: ContentKind, body: ConsentContent | ChecklistContent): string =>
  createHash('sha256').update(JSON.stringify({ kind, body })).digest('hex').slice(0, 16);

export const DEFAULT_CONSENT: ConsentContent = {
  items: [
    {
      id: 'no-recording',
      ja: 'この相談は録画《ろくが》・録音《ろくおん》しません。あなたも録画・録音をしないでください。',
      en: 'The city does not record this consultation. Please do not record it either.',
    },
    {
      id: 'no-sharing',
      ja: '会議のリンク・ミーティング番号・パスワードは、ほかの人に教えないでください。',
      en: 'Do not share the meeting link, number or password with anyone.',
    },
    {
      id: 'others-information',
      ja: 'ほかの人の個人情報《こじんじょうほう》は、職員からお伝えできません。',
      en: 'Staff cannot tell you personal information about other people.',
    },
    {
      id: 'privacy',
      ja: 'お話しいただいた内容は、相談のためだけに使い、市の決まりに従って保管します。同意の記録は決められた期間がすぎると消します。',
      en: 'What you tell us is used only for this consultation and kept under the city’s rules. The record of your consent is deleted after the set period.',
    },
  ],
};

/** The consent text version of the built-in default. */
export const CONSENT_VERSION = contentHash('consent', DEFAULT_CONSENT);

const ID_CARD: ChecklistItem = {
  id: 'id-card',
  ja: '本人確認書類《ほんにんかくにんしょるい》（マイナンバーカード、運転免許証など）',
  en: 'Photo ID (My Number card, driving licence…)',
  whyJa: 'ご本人であることを確かめるためです。',
  whyEn: 'To confirm who you are.',
};

export const DEFAULT_CHECKLISTS: Readonly<Record<string, ChecklistContent>> = {
  general: {
    items: [
      ID_CARD,
      {
        id: 'notes',
        ja: '相談したいことのメモ',
        en: 'Notes on what you want to ask',
        whyJa: '聞きたいことを忘れないためです。',
        whyEn: 'So nothing is forgotten.',
      },
    ],
  },
  'after-death-procedures': {
    items: [
      ID_CARD,
      {
        id: 'death-certificate',
        ja: '死亡診断書《しぼうしんだんしょ》（｜死体検案書《したいけんあんしょ》）の写し',
        en: 'A copy of the death certificate',
        whyJa: '亡くなられた日を確かめるためです。',
        whyEn: 'To confirm the date of death.',
      },
      {
        id: 'insurance-card',
        ja: '亡くなった方の保険証（国民健康保険・後期高齢者医療など）',
        en: "The deceased's health insurance card",
        whyJa: '保険の手続きに使います。',
        whyEn: 'For the insurance procedures.',
      },
      {
        id: 'pension',
        ja: '亡くなった方の年金証書《ねんきんしょうしょ》・年金手帳',
        en: "The deceased's pension certificate or book",
        whyJa: '年金の手続きに使います。',
        whyEn: 'For the pension procedures.',
      },
      {
        id: 'bankbook',
        ja: '手続きをする方の通帳',
        en: 'Your bankbook',
        whyJa: '葬祭費《そうさいひ》などの振込先を確かめるためです。',
        whyEn: 'For payments such as funeral expenses.',
      },
    ],
  },
};

export const defaultChecklist = (consultationType: string): ChecklistContent => DEFAULT_CHECKLISTS[consultationType] ?? DEFAULT_CHECKLISTS.general!;

/** A stable item id from a label, for items added in the admin page (ids are what answers are stored under). */
export function itemId(label: string, taken: ReadonlySet<string>): string {
  const base = `item-${createHash('sha256').update(label).digest('hex').slice(0, 6)}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}
