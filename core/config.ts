// Configuration: read from the environment (and ./.env when present), validated once at start-up.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { TimeRange } from './calendar/calendar.ts';
import { parseOpeningHours, parseYearEndClosure } from './calendar/parse.ts';

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
    .pipe(z.number().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

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
}

/** Documentation of every variable, for README and .env.example. */
export function describeVariables(): Array<{ name: string; default: string; example: string; ja: string }> {
  return Object.entries(variables).map(([name, v]) => ({ name, default: v.default, ...v.doc }));
}

/** Reads ./.env (if present) into process.env without overriding what is already set. */
export function loadDotEnv(file = path.resolve('.env')): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

const PROBLEM_JA: Array<[RegExp, string]> = [
  [/whole number/, '整数で指定してください'],
  [/at least/, '値が小さすぎます'],
  [/at most/, '値が大きすぎます'],
  [/true or false/, 'true か false で指定してください'],
  [/postgres/, 'postgres:// で始まる URL で指定してください'],
  [/http\(s\) URL/, 'http:// または https:// の URL で指定してください'],
  [/24 characters/, '24 文字以上にしてください'],
];

function problemJa(message: string): string {
  return PROBLEM_JA.find(([re]) => re.test(message))?.[1] ?? `読み取れません（${message}）`;
}

/** Parses the environment; throws one ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(variables)) {
    const raw = env[name] ?? v.default;
    const r = (v.schema as z.ZodType<unknown, string>).safeParse(raw);
    if (!r.success) {
      const message = r.error.issues[0]?.message ?? 'invalid';
      const shown = raw.length > 60 ? `${raw.slice(0, 57)}...` : raw;
      throw new ConfigError(name, `「${shown}」は ${problemJa(message)}`, `"${shown}" ${message}`, v.doc.example);
    }
    parsed[name] = r.data;
  }
  const p = parsed as Parsed;
  const dataDir = path.resolve(p.DATA_DIR);
  return {
    port: p.PORT,
    bindAddress: p.BIND_ADDRESS,
    dataDir,
    databaseUrl: p.DATABASE_URL || null,
    sqlitePath: path.join(dataDir, 'madoguchi.db'),
    publicBaseUrl: p.PUBLIC_BASE_URL || `http://localhost:${p.PORT}`,
    bootstrapAdminToken: p.BOOTSTRAP_ADMIN_TOKEN || null,
    logLevel: p.LOG_LEVEL,
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
  };
}
