// Command parsing for the staff bot: what staff type in Webex or Teams (often from a Japanese IME) → a command name and
// its arguments. Pure; never throws.
import { editDistance } from '../core/text.ts';
import { addDays, isLocalDate, toLocalDate } from '../core/time.ts';

export const COMMAND_NAMES = [
  'call',
  'relay',
  'accept',
  'decline',
  'done',
  'extend',
  'queue',
  'book',
  'today',
  'status',
  'cancel',
  'move',
  'duty',
  'site',
  'board',
  'app',
  'help',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const COMMAND_ALIASES: Record<CommandName, ReadonlyArray<string>> = {
  call: ['呼び出し', '呼出', '呼ぶ', '来庁', '来庁者'],
  relay: ['リレー', 'つなぐ', '引継ぎ', '引き継ぎ', '転送'],
  accept: ['対応', '対応する', '受ける', '受付'],
  decline: ['対応できない', '辞退'],
  done: ['完了', '終了', 'おわり'],
  extend: ['延長'],
  queue: ['待ち', '待ち一覧', 'キュー'],
  book: ['予約'],
  today: ['今日', '本日', '予定'],
  status: ['状況', '状態'],
  cancel: ['取消', '取り消し', 'キャンセル'],
  move: ['変更', '日時変更'],
  duty: ['当番'],
  site: ['拠点', '所属拠点'],
  board: ['ボード', '呼び出しボード'],
  app: ['アプリ', 'スタッフ画面'],
  help: ['ヘルプ', '使い方', '?', '？'],
};

export type Parsed =
  | { readonly ok: true; readonly command: CommandName; readonly args: ReadonlyArray<string>; readonly rest: string }
  | { readonly ok: false; readonly reason: 'empty' }
  | { readonly ok: false; readonly reason: 'unknown'; readonly word: string; readonly suggestions: ReadonlyArray<CommandName> };

/** Full-width letters, digits, slash and spaces from an IME become their plain forms; whitespace collapses. */
export function normalizeInput(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u3000\s]+/g, ' ')
    .trim();
}

const LOOKUP = new Map<string, CommandName>(
  COMMAND_NAMES.flatMap((name) => [[name, name] as const, ...COMMAND_ALIASES[name].map((a) => [a.normalize('NFKC').toLowerCase(), name] as const)]),
);

/**
 * Parses one message. The leading slash is optional; the bot's own mention (e.g. "madoguchi" in a group space) may be
 * stripped by giving its display name.
 */
export function parseCommand(text: string, botName?: string): Parsed {
  let t = normalizeInput(text);
  if (botName) {
    const n = normalizeInput(botName);
    if (n && t.toLowerCase().startsWith(n.toLowerCase())) t = t.slice(n.length).trim();
    if (n && t.toLowerCase().startsWith(`@${n.toLowerCase()}`)) t = t.slice(n.length + 1).trim();
  }
  t = t.replace(/^\/+\s*/, '');
  if (!t) return { ok: false, reason: 'empty' };
  const [head = '', ...args] = t.split(' ');
  const word = head.toLowerCase();
  const command = LOOKUP.get(word);
  if (command) return { ok: true, command, args, rest: args.join(' ') };
  const suggestions = COMMAND_NAMES.filter((name) =>
    [name, ...COMMAND_ALIASES[name]].some((a) => editDistance(a.toLowerCase(), word) <= Math.max(1, Math.floor(a.length / 3))),
  );
  return { ok: false, reason: 'unknown', word: head, suggestions };
}

/** `#K7M2Q9XA` (or the bare id) in the arguments, and the arguments without it. */
export function takeConsultationRef(args: ReadonlyArray<string>): { id: string | null; rest: string[] } {
  const i = args.findIndex((a) => /^#[0-9A-Za-z]{4,16}$/.test(a));
  if (i < 0) return { id: null, rest: [...args] };
  return { id: args[i]!.slice(1).toUpperCase(), rest: args.filter((_, j) => j !== i) };
}

const RELATIVE_DAYS: Record<string, number> = { 今日: 0, きょう: 0, 本日: 0, 明日: 1, あした: 1, あす: 1, 明後日: 2, あさって: 2, today: 0, tomorrow: 1 };

/**
 * '12/1', '12月1日', '2026-12-01', '2027/1/11', '2027年1月11日', '今日', '明日', '明後日' → a city date. Month and day
 * alone mean the next such date from now.
 */
export function parseDate(text: string, now: number): string | null {
  const t = text.normalize('NFKC').trim();
  const relative = RELATIVE_DAYS[t.toLowerCase()];
  if (relative !== undefined) return addDays(toLocalDate(now), relative);
  if (isLocalDate(t)) return t;
  const full = /^(\d{4})[/年-](\d{1,2})[/月-](\d{1,2})日?$/.exec(t);
  if (full) {
    const d = `${full[1]}-${full[2]!.padStart(2, '0')}-${full[3]!.padStart(2, '0')}`;
    return isLocalDate(d) ? d : null;
  }
  const m = /^(\d{1,2})[/月](\d{1,2})日?$/.exec(t);
  if (!m) return null;
  const today = toLocalDate(now);
  const year = Number(today.slice(0, 4));
  for (const y of [year, year + 1]) {
    const d = `${y}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
    if (isLocalDate(d) && d >= today) return d;
  }
  return null;
}

/** The words of /call: the department, then the topic; `@2` picks a device, `受付12` (or 受付:12) gives a reception number, `!` confirms a call outside hours. */
export function parseCallWords(args: ReadonlyArray<string>): { department?: string; topic: string; device?: string; reception?: string; confirm: boolean } {
  let device: string | undefined;
  let reception: string | undefined;
  let confirm = false;
  const words: string[] = [];
  for (const a of args) {
    if (/^[@＠]\S+$/.test(a)) device = a.slice(1);
    else if (a === '!' || a === '！') confirm = true;
    else if (/^受付(番号)?[:：]?\S+$/.test(a)) reception = `受付 ${a.replace(/^受付(番号)?[:：]?/, '')}`;
    else words.push(a);
  }
  const [department, ...topic] = words;
  return { ...(department ? { department } : {}), topic: topic.join(' '), ...(device ? { device } : {}), ...(reception ? { reception } : {}), confirm };
}
