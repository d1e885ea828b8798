// Configuration: read from the environment (and ./.env when present), validated once at start-up.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { TimeRange } from './hours.ts';
import { parseOpeningHours, parseYearEndClosure } from './hours.ts';
import { parseMinute } from './time.ts';

/** One start-up problem, said in Japanese and English with an example of a good value. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problemJa: string, problemEn: string, example: string) {
    super(
      `設定エラー: ${variable} — ${problemJa}（例: ${variable}=${example}）\n` +
        `Configuration error: ${variable} — ${problemEn} (example: ${variable}=${example})`,
    );
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

interface VariableDoc {
  readonly example: string;
  readonly ja: string;
}

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A time of day like 08:30 (the example names the variable's own default). */
const clockTime = (example: string) =>
  z
    .string()
    .trim()
    .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, { error: `must be a time of day (hours:minutes, like ${example})` });

const openingHours = z.string().transform((text, ctx): TimeRange[][] => {
  const r = parseOpeningHours(text);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.reason });
    return z.NEVER;
  }
  return r.value;
});

const yearEnd = z.string().transform((text, ctx) => {
  const r = parseYearEndClosure(text);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.reason });
    return z.NEVER;
  }
  return r.value;
});

/** '1d@10:00,1h,30m' → reminder rules; 'none' → []. */
export type ReminderRule =
  | { readonly kind: 'days-before'; readonly days: number; readonly minute: number }
  | { readonly kind: 'before'; readonly minutes: number };

export function parseReminders(text: string): ReminderRule[] | null {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'none') return [];
  const rules: ReminderRule[] = [];
  for (const part of t.split(',').map((p) => p.trim())) {
    const day = /^(\d{1,2})d@(\d{1,2}):(\d{2})$/.exec(part);
    const before = /^(\d{1,4})(h|m)$/.exec(part);
    if (day && Number(day[2]) < 24 && Number(day[3]) < 60)
      rules.push({ kind: 'days-before', days: Number(day[1]), minute: Number(day[2]) * 60 + Number(day[3]) });
    else if (before) rules.push({ kind: 'before', minutes: Number(before[1]) * (before[2] === 'h' ? 60 : 1) });
    else return null;
  }
  return rules;
}

const reminders = z.string().transform((text, ctx) => {
  const r = parseReminders(text);
  if (!r) {
    ctx.addIssue({ code: 'custom', message: 'expected a list like 1d@10:00,1h,30m or none' });
    return z.NEVER;
  }
  return r;
});

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).transform((u) => u.replace(/\/+$/, ''));

/** Every variable, its default, its parser and its documentation (README and .env.example list the same). */
const variables = {
  PORT: { schema: int(0, 65535), default: '3000', doc: { example: '3000', ja: 'HTTP サーバーのポート番号' } },
  BIND_ADDRESS: {
    schema: z.string().trim().min(1),
    default: '0.0.0.0',
    doc: { example: '127.0.0.1', ja: '待ち受けるアドレス' },
  },
  DATA_DIR: { schema: z.string().trim().min(1), default: './var', doc: { example: './var', ja: 'データ（SQLite、送信メール）を置くフォルダー' } },
  DATABASE_URL: {
    schema: z.union([z.literal(''), z.string().regex(/^postgres(ql)?:\/\//, { error: 'must start with postgres://' })]),
    default: '',
    doc: { example: 'postgres://madoguchi@127.0.0.1:5432/madoguchi', ja: 'PostgreSQL の接続先（空なら SQLite）' },
  },
  PUBLIC_BASE_URL: {
    schema: z.union([z.literal(''), httpUrl]),
    default: '',
    doc: { example: 'https://madoguchi.city.example.jp', ja: '市民・職員がアクセスする URL（空なら http://localhost:PORT）' },
  },
  BOOTSTRAP_ADMIN_TOKEN: {
    schema: z.union([z.literal(''), z.string().min(24, { error: 'must be at least 24 characters' })]),
    default: '',
    doc: { example: 'a-long-random-secret-of-32-characters', ja: '最初の管理者 API トークン（管理者がまだいない場合のみ使用）' },
  },
  TRUST_PROXY: {
    schema: z
      .string()
      .trim()
      .regex(/^(true|false|\d{1,2}|[0-9a-f:.,/ a-z]+)$/i, { error: 'must be true, false, a number of proxies, or addresses (loopback, 10.0.0.0/8, …)' })
      .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),
    default: 'loopback',
    doc: { example: 'loopback, 10.0.0.0/8', ja: '前に置いたリバースプロキシ（その X-Forwarded-For を信じる相手。制限や記録に使う送信元アドレスのため）' },
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    doc: { example: 'info', ja: 'ログの詳しさ' },
  },
  OPENING_HOURS: {
    schema: openingHours,
    default: 'mon-fri 08:30-17:15',
    doc: { example: 'mon-fri 08:30-17:15', ja: '受付時間（曜日 時刻-時刻; …）' },
  },
  CLOSE_ON_NATIONAL_HOLIDAYS: { schema: bool, default: 'true', doc: { example: 'true', ja: '祝日・振替休日・国民の休日を閉庁日にする' } },
  YEAR_END_CLOSURE: { schema: yearEnd, default: '12-29..01-03', doc: { example: '12-29..01-03', ja: '年末年始の閉庁期間（none で無効）' } },
  SLOT_GRID_MINUTES: { schema: int(5, 120), default: '15', doc: { example: '15', ja: '予約開始時刻の刻み（分）' } },
  BUFFER_MINUTES: { schema: int(0, 120), default: '15', doc: { example: '15', ja: '相談と相談の間の準備時間（分）' } },
  MIN_NOTICE_MINUTES: { schema: int(0, 7 * 24 * 60), default: '120', doc: { example: '120', ja: '予約の締め切り（開始の何分前まで）' } },
  HORIZON_DAYS: { schema: int(1, 366), default: '90', doc: { example: '90', ja: '何日先まで予約できるか' } },
  SECRET_KEY: {
    schema: z.union([
      z.literal(''),
      z
        .string()
        .trim()
        .refine((v) => Buffer.from(v, 'base64').length === 32, { error: 'must be 32 random bytes in base64 (openssl rand -base64 32)' }),
    ]),
    default: '',
    doc: { example: 'q3V9cX0mZ2J0bE1hZ2ljS2V5U2hvdWxkQmVSYW5kb20=', ja: 'データベースに保存する資格情報を暗号化する鍵（32 バイトを base64 で）' },
  },
  MEETING_PASSWORD_STYLE: {
    schema: z.enum(['digits', 'letters-digits', 'provider']),
    default: 'digits',
    doc: { example: 'digits', ja: '会議パスワードの作り方（digits: 数字のみ、letters-digits: 英数字、provider: 会議サービスに任せる）' },
  },
  MEETING_PASSWORD_LENGTH: { schema: int(6, 32), default: '8', doc: { example: '8', ja: '会議パスワードの長さ' } },
  WEBEX_API_BASE_URL: {
    schema: httpUrl,
    default: 'https://webexapis.com/v1',
    doc: { example: 'https://webexapis.com/v1', ja: 'Webex API の URL（Webex for Government や中継サーバーの場合に変更）' },
  },
  WEBEX_ACCESS_TOKEN: {
    schema: z.string().trim(),
    default: '',
    doc: { example: 'your-webex-access-token', ja: 'Webex のアクセストークン（試用向け。本番はサービスアプリ／インテグレーション）' },
  },
  WEBEX_CLIENT_ID: {
    schema: z.string().trim(),
    default: '',
    doc: { example: 'C1234567890abcdef', ja: 'Webex サービスアプリ／インテグレーションのクライアント ID' },
  },
  WEBEX_CLIENT_SECRET: { schema: z.string().trim(), default: '', doc: { example: 'your-client-secret', ja: 'Webex のクライアントシークレット' } },
  WEBEX_REFRESH_TOKEN: {
    schema: z.string().trim(),
    default: '',
    doc: { example: 'your-refresh-token', ja: 'Webex のリフレッシュトークン（最初の 1 回だけ使い、以後は暗号化してデータベースに保存）' },
  },
  WEBEX_HOST_EMAIL: {
    schema: z.union([z.literal(''), z.email({ error: 'must be an email address' })]),
    default: '',
    doc: { example: 'soudan@city.example.jp', ja: '相談用の専用 Webex アカウント（ホスト）のメールアドレス' },
  },
  WEBEX_JOIN_SECURITY: {
    schema: z.enum(['allowJoinWithLobby', 'blockFromJoin']),
    default: 'allowJoinWithLobby',
    doc: { example: 'allowJoinWithLobby', ja: '招待されていない人の扱い（allowJoinWithLobby: ロビーで待機、blockFromJoin: 参加不可）' },
  },
  WEBEX_AUTOMATIC_LOCK_MINUTES: { schema: int(0, 60), default: '10', doc: { example: '10', ja: '開始から何分後に会議を自動ロックするか（0 でロックしない）' } },
  WEBEX_BOT_TOKEN: { schema: z.string().trim(), default: '', doc: { example: 'your-webex-bot-access-token', ja: '職員用ボット（Webex）のアクセストークン' } },
  WEBEX_WEBHOOK_SECRET: {
    schema: z.union([z.literal(''), z.string().min(16, { error: 'must be at least 16 characters' })]),
    default: '',
    doc: { example: 'a-long-random-webhook-secret', ja: 'Webex のウェブフックの署名を確かめる秘密の値（16 文字以上）' },
  },
  WEBEX_BOT_ALLOWED_DOMAINS: {
    schema: z
      .string()
      .trim()
      .toLowerCase()
      .transform((v) =>
        v
          .split(',')
          .map((d) => d.trim().replace(/^@/, ''))
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, { error: 'must be email domains like city.example.jp, comma-separated' }))),
    default: '',
    doc: { example: 'city.example.jp', ja: 'ボットを使える職員のメールアドレスのドメイン（カンマ区切り。ほかの人の操作は受け付けません）' },
  },
  TEAMS_TENANT_ID: { schema: z.string().trim(), default: '', doc: { example: '00000000-0000-0000-0000-000000000000', ja: 'Microsoft Entra のテナント ID' } },
  TEAMS_CLIENT_ID: { schema: z.string().trim(), default: '', doc: { example: '00000000-0000-0000-0000-000000000000', ja: 'Entra アプリ（クライアント）ID' } },
  TEAMS_CLIENT_SECRET: { schema: z.string().trim(), default: '', doc: { example: 'your-client-secret', ja: 'Entra アプリのクライアントシークレット' } },
  TEAMS_HOST_USER_ID: {
    schema: z.string().trim(),
    default: '',
    doc: { example: '00000000-0000-0000-0000-000000000000', ja: '相談用の専用 Teams アカウント（ホスト）の Entra オブジェクト ID' },
  },
  TEAMS_GRAPH_BASE_URL: {
    schema: httpUrl,
    default: 'https://graph.microsoft.com',
    doc: { example: 'https://graph.microsoft.com', ja: 'Microsoft Graph の URL（国別クラウドの場合に変更）' },
  },
  TEAMS_AUTHORITY_HOST: {
    schema: httpUrl,
    default: 'https://login.microsoftonline.com',
    doc: { example: 'https://login.microsoftonline.com', ja: 'Entra のサインイン URL（国別クラウドの場合に変更）' },
  },
  CITY_NAME: { schema: z.string().trim().min(1).max(50), default: '市役所', doc: { example: 'さぬき市', ja: 'メールに書く市の名前' } },
  CITY_CONTACT: {
    schema: z.string().trim().max(200),
    default: '',
    doc: {
      example: '健康福祉部 0879-00-0000（平日 8:30〜17:15）',
      ja: '市の問い合わせ先（電話番号と受付時間）。連絡先のない課はこれを使います。SMTP_URL を設定したら、これか課ごとの連絡先が必要です',
    },
  },
  CITY_EMAIL: {
    schema: z.union([z.literal(''), z.email({ error: 'must be an email address' })]),
    default: '',
    doc: { example: 'soudan@city.example.jp', ja: '市の問い合わせ用メールアドレス。カレンダーの主催者（ORGANIZER）になります（空なら MAIL_FROM）' },
  },
  MAIL_FROM: {
    schema: z.string().trim().min(3),
    default: 'madoguchi <no-reply@madoguchi.invalid>',
    doc: { example: '"さぬき市 オンライン相談" <soudan@city.example.jp>', ja: '差出人' },
  },
  SMTP_URL: {
    schema: z.union([z.literal(''), z.string().regex(/^smtps?:\/\//, { error: 'must start with smtp:// or smtps://' })]),
    default: '',
    doc: { example: 'smtps://user:pass@smtp.city.example.jp:465', ja: 'メール送信サーバー（空なら送信せず $DATA_DIR/outbox/ に .eml で保存）' },
  },
  STAFF_NOTICE_EMAIL: {
    schema: z.union([z.literal(''), z.email({ error: 'must be an email address' })]),
    default: '',
    doc: {
      example: 'soudan-admin@city.example.jp',
      ja: '職員向けのお知らせ（会議を作成できなかったとき）の宛先。空なら課の連絡先がメールアドレスのときそちらへ',
    },
  },
  REMINDERS: {
    schema: reminders,
    default: '1d@10:00,1h',
    doc: { example: '1d@10:00,1h', ja: 'お知らせメールを送る時（1d@10:00 = 前日10時、1h = 1時間前、none = 送らない）' },
  },
  SURVEY_MAIL: {
    schema: bool,
    default: 'true',
    doc: { example: 'true', ja: '相談が終わったあと、アンケートのお願いのメールを送る（会議内アプリで答えた人には送りません）' },
  },
  WEEKLY_SUMMARY_TO: {
    schema: z
      .string()
      .trim()
      .transform((v) =>
        v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.email({ error: 'must be email addresses separated by commas' })).max(20)),
    default: '',
    doc: {
      example: 'kacho@city.example.jp,soudan-admin@city.example.jp',
      ja: '毎週の集計（先週の相談の件数・待ち時間・おつなぎ・アンケート）を送る宛先（カンマ区切り）。空なら送りません',
    },
  },
  WEEKLY_SUMMARY_AT: {
    schema: clockTime('08:30'),
    default: '08:30',
    doc: { example: '08:30', ja: '毎週の集計を送る、月曜日の時刻' },
  },
  RELAY_ESCALATION_MINUTES: {
    schema: int(1, 60),
    default: '3',
    doc: { example: '3', ja: 'おつなぎ（リレー）に誰も応答しないとき、何分後にもう一度強く呼び出すか' },
  },
  DUTY_ENDS_AT: {
    schema: clockTime('17:30'),
    default: '17:30',
    doc: { example: '17:30', ja: '当番（/duty on）がその日に自動で終わる時刻。これより後に当番に入ったときは、その日の終わりまで' },
  },
  WALK_IN_ESCALATION_MINUTES: {
    schema: int(1, 60),
    default: '1',
    doc: { example: '1', ja: '支所からの呼び出し（来庁者）に誰も応答しないとき、何分後に課の全員をもう一度呼び出すか' },
  },
  WALK_IN_MINUTES: {
    schema: int(10, 240),
    default: '30',
    doc: { example: '30', ja: '来庁者の相談がまず押さえる時間（分）。時間の制限はなく、終えるまで自動で延長します' },
  },
  WALK_IN_MEETING_HOURS: {
    schema: int(1, 24),
    default: '8',
    doc: { example: '8', ja: '来庁者の相談で作る会議の長さ（時間）。会議が途中で切れないよう長めに作ります（Webex は 24 時間まで）' },
  },
  LAMP_WEBHOOK_URL: {
    schema: z.union([
      z.literal(''),
      z
        .string()
        .trim()
        .regex(/^https?:\/\/\S+$/, { error: 'must be an http(s) URL' }),
    ]),
    default: '',
    doc: {
      example: 'http://192.168.10.50/api/control?alert={lamp_alert}',
      ja: '表示灯（積層信号灯）への通知先。POST なら JSON を送り、GET なら {event} {department_id} {lamp_alert} などを置き換えて呼びます（空なら送らない）',
    },
  },
  LAMP_WEBHOOK_METHOD: {
    schema: z.enum(['POST', 'GET']),
    default: 'POST',
    doc: { example: 'GET', ja: '表示灯への通知の方法（POST: JSON を送る / GET: URL の {…} を置き換えて呼ぶ）' },
  },
  LAMP_WEBHOOK_TIMEOUT_MS: {
    schema: int(100, 30000),
    default: '3000',
    doc: { example: '3000', ja: '表示灯への通知の待ち時間（ミリ秒）。応答がなければやり直します' },
  },
  APP_FRAME_ANCESTORS: {
    schema: z
      .string()
      .trim()
      .transform((v) => v.split(/\s+/).filter(Boolean))
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^(?:'self'|https:\/\/(?:\*\.)?[a-z0-9.-]+(?::\d+)?|http:\/\/(?:127\.0\.0\.1|localhost)(?::(?:\d+|\*))?)$/,
                "https://… の origin（*.example.com 可）か 'self' を空白区切りで / https origins (wildcard subdomains allowed) or 'self', space-separated",
              ),
          )
          .min(1),
      ),
    default:
      'https://*.webex.com https://*.wbx2.com https://*.ciscospark.com https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft https://*.office.com https://*.microsoft365.com https://*.skype.com',
    doc: {
      example: 'https://*.webex.com https://teams.microsoft.com',
      ja: '会議内アプリを枠（iframe）に表示してよいサイト（Webex と Teams。CSP frame-ancestors）',
    },
  },
  CONSENT_RETENTION_DAYS: {
    schema: int(30, 3650),
    default: '1095',
    doc: { example: '1095', ja: '同意の記録とアプリの回答を、相談の終了から何日で消すか（保存期間）' },
  },
  PERSONAL_DATA_RETENTION_DAYS: {
    schema: int(30, 3650),
    default: '365',
    doc: {
      example: '365',
      ja: '相談者の氏名・メールアドレス・自由記述（相談内容、メモ、取消の理由など）を、相談の終了から何日で消すか（統計に要る日時・課・状態・待ち時間・アンケートの点数は残ります）',
    },
  },
  DEFAULT_HOST_NAME: {
    schema: z.string().trim().min(1).max(100),
    default: '相談用専用PC',
    doc: { example: '相談用専用PC', ja: '初回起動時に作るホスト（専用アカウント）の表示名' },
  },
} satisfies Record<string, { schema: z.ZodType<unknown, string>; default: string; doc: VariableDoc }>;

type Variables = typeof variables;
export type VariableName = keyof Variables;
type Parsed = { [K in VariableName]: z.output<Variables[K]['schema']> };

export interface Config {
  readonly port: number;
  readonly bindAddress: string;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly sqlitePath: string;
  readonly publicBaseUrl: string;
  readonly bootstrapAdminToken: string | null;
  readonly logLevel: Parsed['LOG_LEVEL'];
  /** Express's `trust proxy`: whose X-Forwarded-For gives the client's address (throttling, logs). */
  readonly trustProxy: boolean | number | string;
  readonly calendar: {
    readonly weeklyHours: TimeRange[][];
    readonly closeOnHolidays: boolean;
    readonly yearEndClosure: { from: string; to: string } | null;
  };
  readonly slots: {
    readonly gridMinutes: number;
    readonly bufferMinutes: number;
    readonly minNoticeMinutes: number;
    readonly horizonDays: number;
  };
  readonly defaultHostName: string;
  readonly city: { readonly name: string; readonly contact: string; readonly email: string | null };
  readonly relay: {
    readonly escalationMinutes: number;
    /** Walk-in calls from a branch are escalated sooner. */
    readonly walkInEscalationMinutes: number;
    /** Minute of the day (city time) when /duty on ends by itself. */
    readonly dutyEndsAtMinute: number;
  };
  readonly walkIn: {
    /** What a walk-in first holds of its host; it is extended while it goes on. */
    readonly minutes: number;
    /** How long a walk-in's meeting is made at the platform (never cut while the citizen is there). */
    readonly meetingHours: number;
  };
  /** The physical signal tower (表示灯) of the departments; null when not configured. */
  readonly lamp: { readonly url: string; readonly method: 'POST' | 'GET'; readonly timeoutMs: number } | null;
  /** The in-meeting app: who may frame it (CSP frame-ancestors), and how long consents are kept after the consultation. */
  readonly app: { readonly frameAncestors: readonly string[]; readonly consentRetentionDays: number };
  /** Days after a consultation ends before the citizen's name, email and free text are erased. */
  readonly personalDataRetentionDays: number;
  readonly mail: {
    readonly from: string;
    /** null: no SMTP — messages are written as .eml files to outboxDir. */
    readonly smtpUrl: string | null;
    readonly outboxDir: string;
    readonly staffNoticeEmail: string | null;
    readonly reminders: ReadonlyArray<ReminderRule>;
    /** A short mail asking for the survey after a consultation (not to someone who answered it in the app). */
    readonly surveyMail: boolean;
    /** Last week's figures to the counter's managers on Mondays at `minute` (city time); none: not sent. */
    readonly weeklySummary: { readonly to: ReadonlyArray<string>; readonly minute: number };
  };
  /** 32-byte key for secrets kept in the store, or null. */
  readonly secretKey: Buffer | null;
  readonly meetings: {
    readonly passwordStyle: 'digits' | 'letters-digits' | 'provider';
    readonly passwordLength: number;
  };
  /** Null unless Webex credentials are given. */
  readonly webex: WebexConfig | null;
  /** Null unless Teams credentials are given. */
  readonly teams: TeamsConfig | null;
  /** The Entra app (bot) id as configured (TEAMS_CLIENT_ID), for the Teams app package; '' when not set. */
  readonly teamsAppId: string;
  /** The staff bot on Webex; null unless WEBEX_BOT_TOKEN is set. */
  readonly webexBot: {
    readonly apiBaseUrl: string;
    readonly token: string;
    readonly webhookSecret: string;
    readonly allowedDomains: ReadonlyArray<string>;
  } | null;
}

export interface WebexConfig {
  readonly apiBaseUrl: string;
  readonly hostEmail: string;
  readonly credentials:
    | { readonly kind: 'access_token'; readonly accessToken: string }
    | { readonly kind: 'refresh_token'; readonly clientId: string; readonly clientSecret: string; readonly refreshToken: string };
  readonly joinSecurity: 'allowJoinWithLobby' | 'blockFromJoin';
  readonly automaticLockMinutes: number;
}

export interface TeamsConfig {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly hostUserId: string;
  readonly graphBaseUrl: string;
  readonly authorityHost: string;
}

/** Documentation of every variable, for README and .env.example. */
export function describeVariables(): Array<{ name: string; default: string; example: string; ja: string }> {
  return Object.entries(variables).map(([name, v]) => ({ name, default: v.default, ...v.doc }));
}

/** Reads ./.env (if present) into process.env without overriding what is already set. */
export function loadDotEnv(file = path.resolve('.env')): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

// Most specific first.
const PROBLEM_JA: Array<[RegExp, string]> = [
  [/whole number/, '整数で指定してください'],
  [/true or false/, 'true か false で指定してください'],
  [/postgres/, 'postgres:// で始まる URL で指定してください'],
  [/http\(s\) URL/, 'http:// または https:// の URL で指定してください'],
  [/24 characters/, '24 文字以上にしてください'],
  [/16 characters/, '16 文字以上にしてください'],
  [/32 random bytes/, '32 バイトの乱数を base64 で指定してください（openssl rand -base64 32）'],
  [/email address/, 'メールアドレスで指定してください'],
  [/email domains/, 'city.example.jp のようなドメインをカンマ区切りで指定してください'],
  [/smtp:\/\//, 'smtp:// または smtps:// で始まる URL で指定してください'],
  [/1d@10:00/, '1d@10:00,1h のように指定してください（none で送らない）'],
  [/time of day/, '8:30 や 17:30 のような時刻（時:分）で指定してください'],
  [/Invalid option/, '決められた値のどれかを指定してください'],
  [/at least/, '値が小さすぎます'],
  [/at most/, '値が大きすぎます'],
];

const SECRET_VARIABLES = new Set([
  'BOOTSTRAP_ADMIN_TOKEN',
  'SECRET_KEY',
  'WEBEX_ACCESS_TOKEN',
  'WEBEX_CLIENT_SECRET',
  'WEBEX_REFRESH_TOKEN',
  'TEAMS_CLIENT_SECRET',
  'WEBEX_BOT_TOKEN',
  'WEBEX_WEBHOOK_SECRET',
]);

/** What a start-up message may show of a value: never a secret, never a password inside a URL. */
function shownValue(name: string, raw: string): string {
  if (SECRET_VARIABLES.has(name)) return `（秘密の値 ${raw.length} 文字 / secret, ${raw.length} characters）`;
  const masked = raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
  return masked.length > 60 ? `${masked.slice(0, 57)}...` : masked;
}

function problemJa(message: string): string {
  return PROBLEM_JA.find(([re]) => re.test(message))?.[1] ?? `読み取れません（${message}）`;
}

/** Parses the environment; throws one ConfigError naming the first bad variable. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  /** `npm run manifest` needs only the public address and the Teams app id, not the Graph credentials. */
  o: { readonly teamsAppOnly?: boolean } = {},
): Config {
  const parsed: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(variables)) {
    const raw = env[name] ?? v.default;
    const r = (v.schema as z.ZodType<unknown, string>).safeParse(raw);
    if (!r.success) {
      const message = r.error.issues[0]?.message ?? 'invalid';
      const shown = shownValue(name, raw);
      throw new ConfigError(name, `「${shown}」は ${problemJa(message)}`, `"${shown}" ${message}`, v.doc.example);
    }
    parsed[name] = r.data;
  }
  const p = parsed as Parsed;
  const dataDir = path.resolve(p.DATA_DIR);
  const webex = webexConfig(p);
  const teams = teamsConfig(p, o.teamsAppOnly === true);
  return {
    teamsAppId: p.TEAMS_CLIENT_ID,
    port: p.PORT,
    bindAddress: p.BIND_ADDRESS,
    dataDir,
    databaseUrl: p.DATABASE_URL || null,
    sqlitePath: path.join(dataDir, 'madoguchi.db'),
    publicBaseUrl: p.PUBLIC_BASE_URL || `http://localhost:${p.PORT}`,
    bootstrapAdminToken: p.BOOTSTRAP_ADMIN_TOKEN || null,
    logLevel: p.LOG_LEVEL,
    trustProxy: p.TRUST_PROXY,
    calendar: {
      weeklyHours: p.OPENING_HOURS,
      closeOnHolidays: p.CLOSE_ON_NATIONAL_HOLIDAYS,
      yearEndClosure: p.YEAR_END_CLOSURE,
    },
    slots: {
      gridMinutes: p.SLOT_GRID_MINUTES,
      bufferMinutes: p.BUFFER_MINUTES,
      minNoticeMinutes: p.MIN_NOTICE_MINUTES,
      horizonDays: p.HORIZON_DAYS,
    },
    defaultHostName: p.DEFAULT_HOST_NAME,
    city: { name: p.CITY_NAME, contact: p.CITY_CONTACT, email: p.CITY_EMAIL || null },
    relay: {
      escalationMinutes: p.RELAY_ESCALATION_MINUTES,
      walkInEscalationMinutes: p.WALK_IN_ESCALATION_MINUTES,
      dutyEndsAtMinute: parseMinute(p.DUTY_ENDS_AT) ?? 17 * 60 + 30,
    },
    walkIn: { minutes: p.WALK_IN_MINUTES, meetingHours: p.WALK_IN_MEETING_HOURS },
    lamp: p.LAMP_WEBHOOK_URL ? { url: p.LAMP_WEBHOOK_URL, method: p.LAMP_WEBHOOK_METHOD, timeoutMs: p.LAMP_WEBHOOK_TIMEOUT_MS } : null,
    app: { frameAncestors: p.APP_FRAME_ANCESTORS, consentRetentionDays: p.CONSENT_RETENTION_DAYS },
    personalDataRetentionDays: p.PERSONAL_DATA_RETENTION_DAYS,
    mail: {
      from: p.MAIL_FROM,
      smtpUrl: p.SMTP_URL || null,
      outboxDir: path.join(dataDir, 'outbox'),
      staffNoticeEmail: p.STAFF_NOTICE_EMAIL || null,
      reminders: p.REMINDERS,
      surveyMail: p.SURVEY_MAIL,
      weeklySummary: { to: p.WEEKLY_SUMMARY_TO, minute: parseMinute(p.WEEKLY_SUMMARY_AT) ?? 510 },
    },
    secretKey: p.SECRET_KEY ? Buffer.from(p.SECRET_KEY, 'base64') : null,
    meetings: { passwordStyle: p.MEETING_PASSWORD_STYLE, passwordLength: p.MEETING_PASSWORD_LENGTH },
    webex,
    teams,
    webexBot: webexBotConfig(p),
  };
}

function webexBotConfig(p: Parsed): Config['webexBot'] {
  if (!p.WEBEX_BOT_TOKEN) return null;
  if (!p.WEBEX_WEBHOOK_SECRET) {
    throw missing('WEBEX_WEBHOOK_SECRET', {
      ja: 'ボットのウェブフックを安全に受けるため、署名の秘密の値が必要です。',
      en: 'the bot webhook needs a signing secret.',
    });
  }
  if (p.WEBEX_BOT_ALLOWED_DOMAINS.length === 0) {
    throw missing('WEBEX_BOT_ALLOWED_DOMAINS', {
      ja: 'Webex ではだれでもボットに話しかけられるため、職員のメールのドメインを指定してください。',
      en: 'anyone on Webex can message a bot: name the staff email domain(s).',
    });
  }
  return { apiBaseUrl: p.WEBEX_API_BASE_URL, token: p.WEBEX_BOT_TOKEN, webhookSecret: p.WEBEX_WEBHOOK_SECRET, allowedDomains: p.WEBEX_BOT_ALLOWED_DOMAINS };
}

function missing(variable: string, because: { ja: string; en: string }): ConfigError {
  const example = (variables as Record<string, { doc: VariableDoc }>)[variable]!.doc.example;
  return new ConfigError(variable, `設定されていません。${because.ja}`, `is not set; ${because.en}`, example);
}

function webexConfig(p: Parsed): WebexConfig | null {
  const any = p.WEBEX_ACCESS_TOKEN || p.WEBEX_REFRESH_TOKEN || p.WEBEX_CLIENT_ID || p.WEBEX_CLIENT_SECRET;
  if (!any) return null;
  if (!p.WEBEX_HOST_EMAIL)
    throw missing('WEBEX_HOST_EMAIL', {
      ja: 'Webex を使うときは、相談用の専用アカウントのメールアドレスが必要です。',
      en: 'Webex needs the email address of the dedicated host account.',
    });
  const base = {
    apiBaseUrl: p.WEBEX_API_BASE_URL,
    hostEmail: p.WEBEX_HOST_EMAIL,
    joinSecurity: p.WEBEX_JOIN_SECURITY,
    automaticLockMinutes: p.WEBEX_AUTOMATIC_LOCK_MINUTES,
  };
  if (p.WEBEX_REFRESH_TOKEN || p.WEBEX_CLIENT_ID || p.WEBEX_CLIENT_SECRET) {
    const why = {
      ja: 'リフレッシュトークンで Webex に接続するには、WEBEX_CLIENT_ID・WEBEX_CLIENT_SECRET・WEBEX_REFRESH_TOKEN・SECRET_KEY がすべて必要です。',
      en: 'a refresh-token connection to Webex needs WEBEX_CLIENT_ID, WEBEX_CLIENT_SECRET, WEBEX_REFRESH_TOKEN and SECRET_KEY.',
    };
    for (const name of ['WEBEX_CLIENT_ID', 'WEBEX_CLIENT_SECRET', 'WEBEX_REFRESH_TOKEN', 'SECRET_KEY'] as const) {
      if (!p[name]) throw missing(name, why);
    }
    return {
      ...base,
      credentials: { kind: 'refresh_token', clientId: p.WEBEX_CLIENT_ID, clientSecret: p.WEBEX_CLIENT_SECRET, refreshToken: p.WEBEX_REFRESH_TOKEN },
    };
  }
  return { ...base, credentials: { kind: 'access_token', accessToken: p.WEBEX_ACCESS_TOKEN } };
}

function teamsConfig(p: Parsed, appOnly = false): TeamsConfig | null {
  const names = ['TEAMS_TENANT_ID', 'TEAMS_CLIENT_ID', 'TEAMS_CLIENT_SECRET', 'TEAMS_HOST_USER_ID'] as const;
  if (!names.some((n) => p[n]) || appOnly) return null;
  for (const name of names) {
    if (!p[name]) {
      throw missing(name, {
        ja: 'Teams を使うには TEAMS_TENANT_ID・TEAMS_CLIENT_ID・TEAMS_CLIENT_SECRET・TEAMS_HOST_USER_ID がすべて必要です。',
        en: 'Teams needs TEAMS_TENANT_ID, TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and TEAMS_HOST_USER_ID.',
      });
    }
  }
  return {
    tenantId: p.TEAMS_TENANT_ID,
    clientId: p.TEAMS_CLIENT_ID,
    clientSecret: p.TEAMS_CLIENT_SECRET,
    hostUserId: p.TEAMS_HOST_USER_ID,
    graphBaseUrl: p.TEAMS_GRAPH_BASE_URL,
    authorityHost: p.TEAMS_AUTHORITY_HOST,
  };
}
