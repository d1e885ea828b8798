// What the citizen reads and answers in the app: the consent text (versioned by its hash) and the document checklists
// per consultation type. Plain, short Japanese first. Pure.
import { createHash } from 'node:crypto';

export interface ConsentItem {
  readonly id: string;
  readonly ja: string;
  readonly en: string;
}

export const CONSENT_ITEMS: ReadonlyArray<ConsentItem> = [
  { id: 'no-recording', ja: 'この相談は録画・録音しません。あなたも録画・録音をしないでください。', en: 'The city does not record this consultation. Please do not record it either.' },
  { id: 'no-sharing', ja: '会議のリンク・ミーティング番号・パスワードは、ほかの人に教えないでください。', en: 'Do not share the meeting link, number or password with anyone.' },
  { id: 'others-information', ja: 'ほかの人の個人情報は、職員からお伝えできません。', en: 'Staff cannot tell you personal information about other people.' },
  { id: 'privacy', ja: 'お話しいただいた内容は、相談のためだけに使い、市の決まりに従って保管します。', en: 'What you tell us is used only for this consultation and kept under the city’s rules.' },
];

/** The version of the consent text: the hash of exactly what was shown, in both languages. */
export const CONSENT_VERSION = createHash('sha256').update(JSON.stringify(CONSENT_ITEMS)).digest('hex').slice(0, 16);

export interface ChecklistItem {
  readonly id: string;
  readonly ja: string;
  readonly en: string;
  readonly whyJa: string;
  readonly whyEn: string;
}

const ID_CARD: ChecklistItem = { id: 'id-card', ja: '本人確認書類（マイナンバーカード、運転免許証など）', en: 'Photo ID (My Number card, driving licence…)', whyJa: 'ご本人であることを確かめるためです。', whyEn: 'To confirm who you are.' };

export const CHECKLISTS: Record<string, ReadonlyArray<ChecklistItem>> = {
  general: [ID_CARD, { id: 'notes', ja: '相談したいことのメモ', en: 'Notes on what you want to ask', whyJa: '聞きたいことを忘れないためです。', whyEn: 'So nothing is forgotten.' }],
  'after-death-procedures': [
    ID_CARD,
    { id: 'death-certificate', ja: '死亡診断書（死体検案書）の写し', en: 'A copy of the death certificate', whyJa: '亡くなられた日を確かめるためです。', whyEn: 'To confirm the date of death.' },
    { id: 'insurance-card', ja: '亡くなった方の保険証（国民健康保険・後期高齢者医療など）', en: "The deceased's health insurance card", whyJa: '保険の手続きに使います。', whyEn: 'For the insurance procedures.' },
    { id: 'pension', ja: '亡くなった方の年金証書・年金手帳', en: "The deceased's pension certificate or book", whyJa: '年金の手続きに使います。', whyEn: 'For the pension procedures.' },
    { id: 'bankbook', ja: '手続きをする方の通帳', en: 'Your bankbook', whyJa: '葬祭費などの振込先を確かめるためです。', whyEn: 'For payments such as funeral expenses.' },
  ],
};

export const checklistFor = (consultationType: string): ReadonlyArray<ChecklistItem> => CHECKLISTS[consultationType] ?? CHECKLISTS.general!;
