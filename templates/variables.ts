// The variables a message template may use, documented for admins, and built from a consultation. Pure.

export interface VariableDoc {
  readonly path: string;
  readonly ja: string;
  readonly en: string;
  readonly example: string;
}

/** Every variable a template may name. Arrays may also be looped over and end in .size / .first / .last. */
export const VARIABLES: ReadonlyArray<VariableDoc> = [
  { path: 'city.name', ja: '市の名前', en: 'The city', example: 'さぬき市' },
  { path: 'city.contact', ja: '市の問い合わせ先', en: 'City contact', example: '健康福祉部 0879-00-0000' },
  { path: 'citizen.name', ja: '相談者のお名前', en: 'Citizen name', example: '山田太郎' },
  { path: 'citizen.email', ja: '相談者のメールアドレス', en: 'Citizen email', example: 'yamada@example.jp' },
  { path: 'consultation.id', ja: '相談の番号', en: 'Consultation id', example: 'K7M2Q9XA' },
  {
    path: 'consultation.start',
    ja: '開始日時（フィルターで表示: jst_datetime, era_date, jst_time など）',
    en: 'Start (format with a filter)',
    example: '2026-12-01T10:00:00+09:00',
  },
  { path: 'consultation.end', ja: '終了日時', en: 'End', example: '2026-12-01T11:00:00+09:00' },
  { path: 'consultation.duration_minutes', ja: '相談時間（分）', en: 'Length in minutes', example: '60' },
  { path: 'consultation.topic', ja: '相談の内容', en: 'Topic', example: '固定資産税について' },
  { path: 'consultation.type', ja: '相談の種類（英字の名前）', en: 'Consultation type (its key)', example: 'general' },
  { path: 'consultation.type_name', ja: '相談の種類（表示名）', en: 'Consultation type (as people read it)', example: '一般の相談' },
  {
    path: 'consultation.app_url',
    ja: '相談者専用の案内ページ（事前の確認用。相談者あてのメールだけ）',
    en: "The citizen's own page (citizen emails only)",
    example: 'https://…/app/c/…',
  },
  {
    path: 'consultation.survey_url',
    ja: 'アンケートのページ（相談者あてのメールだけ。相談のあとに開けます）',
    en: 'The survey page (citizen emails only; opens after the consultation)',
    example: 'https://…/app/c/…/end',
  },
  { path: 'department.name', ja: '担当課', en: 'Department', example: '税務課' },
  { path: 'department.contact', ja: '担当課の連絡先（空のこともあります）', en: 'Department contact (may be empty)', example: '0879-00-0001' },
  { path: 'meeting.provider', ja: '会議サービス（webex / teams / dryrun）', en: 'Provider', example: 'webex' },
  { path: 'meeting.is_dry_run', ja: '試験運用の会議なら true', en: 'true for a dry-run meeting', example: 'false' },
  { path: 'meeting.number', ja: 'ミーティング番号（group_digits で 3 桁ずつ）', en: 'Meeting number (group_digits groups it)', example: '123456789' },
  { path: 'meeting.password', ja: 'パスワード', en: 'Password', example: '38472910' },
  { path: 'meeting.join_url', ja: '参加用リンク', en: 'Join link', example: 'https://city.webex.com/…' },
  { path: 'meeting.dial_in', ja: '電話で参加する番号の一覧（label, number）', en: 'Dial-in numbers (label, number)', example: '[…]' },
  {
    path: 'meeting.sip_address',
    ja: 'ビデオ会議システムから参加するアドレス（空のこともあります）',
    en: 'Video-system (SIP) address, may be empty',
    example: '123456789@city.webex.com',
  },
  {
    path: 'previous.start',
    ja: '変更前の開始日時（変更のお知らせだけ。ほかは空）',
    en: 'Start before the change (change notice only)',
    example: '2026-11-30T14:00:00+09:00',
  },
  { path: 'previous.end', ja: '変更前の終了日時', en: 'End before the change', example: '2026-11-30T15:00:00+09:00' },
  { path: 'reason', ja: '取り消しの理由（空のこともあります）', en: 'Cancellation reason (may be empty)', example: '' },
  { path: 'problem', ja: '会議サービスからのメッセージ（職員向けのお知らせ）', en: "The provider's message (staff notice)", example: 'Webex 400: …' },
];

const ALLOWED = new Set(VARIABLES.map((v) => v.path));
const PARENTS = new Set(
  VARIABLES.flatMap((v) =>
    v.path
      .split('.')
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join('.')),
  ),
);
const ARRAYS = new Set(['meeting.dial_in']);
const ARRAY_ITEM_FIELDS = new Set(['label', 'number']);

/** Paths a template names that are not documented variables (e.g. a typo: meeting.pasword). */
export function unknownVariables(paths: ReadonlyArray<string>): string[] {
  return paths.filter((raw) => {
    const p = raw.replace(/\[\d+\]/g, '[]');
    if (ALLOWED.has(p) || PARENTS.has(p)) return false;
    const m = /^(.*?)(?:\.(size|first|last)|\[\])(?:\.(\w+))?$/.exec(p);
    if (m && ARRAYS.has(m[1]!) && (m[3] === undefined || ARRAY_ITEM_FIELDS.has(m[3]))) return false;
    if (/\.size$/.test(p) && ALLOWED.has(p.replace(/\.size$/, ''))) return false;
    return true;
  });
}

export interface VariableInput {
  readonly city: { readonly name: string; readonly contact: string };
  readonly consultation: {
    readonly id: string;
    readonly start: string;
    readonly end: string;
    readonly durationMinutes: number;
    readonly topic: string;
    readonly consultationType: string;
    readonly consultationTypeName?: { readonly ja: string; readonly en: string };
    readonly citizen: { readonly name: string; readonly email: string };
    readonly department: { readonly name: string; readonly contact: string };
  };
  readonly meeting: {
    readonly provider: string;
    readonly meetingNumber: string;
    readonly password: string;
    readonly joinUrl: string;
    readonly dialIn: ReadonlyArray<{ readonly label: string; readonly number: string }>;
    readonly sipAddress: string;
  } | null;
  readonly previous?: { readonly start: string; readonly end: string } | null;
  /** The citizen's personal link ('' in staff mail). */
  readonly appUrl?: string;
  readonly reason?: string;
  readonly problem?: string;
}

/** The object templates render against; every documented variable is present (empty when it does not apply). */
export function buildVariables(input: VariableInput): Record<string, unknown> {
  const c = input.consultation;
  const m = input.meeting;
  return {
    city: { name: input.city.name, contact: input.city.contact },
    citizen: { name: c.citizen.name, email: c.citizen.email },
    consultation: {
      id: c.id,
      start: c.start,
      end: c.end,
      duration_minutes: c.durationMinutes,
      topic: c.topic,
      type: c.consultationType,
      type_name: c.consultationTypeName?.ja ?? c.consultationType,
      app_url: input.appUrl ?? '',
      survey_url: input.appUrl ? `${input.appUrl}/end` : '',
    },
    department: { name: c.department.name, contact: c.department.contact },
    meeting: {
      provider: m?.provider ?? '',
      is_dry_run: m?.provider === 'dryrun',
      number: m?.meetingNumber ?? '',
      password: m?.password ?? '',
      join_url: m?.joinUrl ?? '',
      dial_in: (m?.dialIn ?? []).map((d) => ({ label: d.label, number: d.number })),
      sip_address: m?.sipAddress ?? '',
    },
    previous: input.previous ?? null,
    reason: input.reason ?? '',
    problem: input.problem ?? '',
  };
}

/** A sample consultation for previews and "send a test to me". */
export function sampleInput(city: VariableInput['city']): VariableInput {
  return {
    city,
    consultation: {
      id: 'SAMPLE01',
      start: '2026-12-01T10:00:00+09:00',
      end: '2026-12-01T11:00:00+09:00',
      durationMinutes: 60,
      topic: '固定資産税について',
      consultationType: 'general',
      consultationTypeName: { ja: '一般の相談', en: 'General consultation' },
      citizen: { name: '山田太郎', email: 'yamada@example.jp' },
      department: { name: '税務課', contact: '0879-00-0001' },
    },
    meeting: {
      provider: 'webex',
      meetingNumber: '123456789',
      password: '38472910',
      joinUrl: 'https://city.webex.com/city/j.php?MTID=m0123456789abcdef',
      dialIn: [{ label: '日本（有料）', number: '+81-3-0000-0000' }],
      sipAddress: '123456789@city.webex.com',
    },
    previous: { start: '2026-11-30T14:00:00+09:00', end: '2026-11-30T15:00:00+09:00' },
    appUrl: 'https://madoguchi.city.example.jp/app/c/SAMPLE01.1796000000.sample',
    reason: '',
    problem: 'Webex 400: Password does not meet complexity requirements. (trackingId WEBEX_sample)',
  };
}
