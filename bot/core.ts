// The transport-free bot: a staff member's message or card action in, a reply (text and maybe a card) out.
// Commands are data; /help is made from the list. Webex, Teams and the console only translate to and from this.
import type { Problem } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import { listDepartments, matchDepartment } from '../core/departments.ts';
import type { Department } from '../core/departments.ts';
import { listHosts } from '../core/hosts.ts';
import { MINUTE_MS, addDays, formatDateJa, formatJa, formatMinute, isLocalDate, localInstant, parseMinute, toLocalDate, toLocalMinute } from '../core/time.ts';
import type { SchedulerDeps } from '../scheduler/consultations.ts';
import { bookConsultation, cancelConsultation, freeSlots, listConsultations, rescheduleConsultation, viewById } from '../scheduler/consultations.ts';
import { statusLabelJa, transition } from '../scheduler/status.ts';
import type { ConsultationStatus } from '../scheduler/status.ts';
import { writeAudit } from '../core/audit.ts';
import type { Card, CardAction } from './cards.ts';
import { bookCard, pickConsultationCard } from './cards.ts';
import type { CommandName } from './parse.ts';
import { COMMAND_ALIASES, parseCommand, takeConsultationRef } from './parse.ts';
import { STATUS_JA, acceptRelay, cancelRelay, declineRelay, finishRelay, openRelayOf, relayDepsOf, requestRelay, waitingQueue } from './relay.ts';
import type { RelayDeps } from './relay.ts';
import type { ChatPlatformKind, Staff } from './staff.ts';
import { getStaff, setDuty, staffFor, staffOfDepartment } from './staff.ts';
import { linkKey, staffLink } from '../core/links.ts';
import { takeChannelLinkOffer } from './channel-links.ts';

export interface BotDeps extends SchedulerDeps {
  readonly log: Logger;
}

export interface Sender {
  readonly platform: ChatPlatformKind;
  readonly userId: string;
  readonly displayName: string;
  readonly email?: string;
  /** False when the message came from a shared space or channel (links that act as the sender are not posted there). */
  readonly direct?: boolean;
  /** The space, room or channel the message or card action came from, as the platform names it. */
  readonly space?: string;
}

export interface Reply {
  /** Japanese first, then English. */
  readonly text: string;
  readonly card?: Card;
}

interface Ctx {
  readonly deps: BotDeps;
  readonly staff: Staff;
  readonly now: number;
  readonly departments: Department[];
  /** The conversation is one-to-one with the bot. */
  readonly direct: boolean;
}

const say = (ja: string, en: string, card?: Card): Reply => ({ text: `${ja}\n${en}`, ...(card ? { card } : {}) });
const fromProblem = (p: Problem, example?: string): Reply => say(`${p.message.ja}${example ? `\n例: ${example}` : ''}`, p.message.en);
const relayDeps = (d: BotDeps): RelayDeps => relayDepsOf({ ...d, db: d.store.db });
const actorOf = (s: Staff) => `staff:${s.id}:${s.displayName}`;

function findDepartment(ctx: Ctx, typed: string, example: string): { ok: true; value: Department } | { ok: false; reply: Reply } {
  const m = matchDepartment(ctx.departments, typed);
  if (m.ok) return m;
  const names = (m.reason.suggestions.length > 0 ? m.reason.suggestions : ctx.departments).map((d) => d.name);
  return {
    ok: false,
    reply: say(
      `「${typed}」という課は見つかりません。${m.reason.suggestions.length > 0 ? 'もしかして' : '課の一覧'}: ${names.join('、')}\n例: ${example}`,
      `No department "${typed}". ${m.reason.suggestions.length > 0 ? 'Did you mean' : 'Departments'}: ${names.join(', ')}`,
    ),
  };
}

// ---------------------------------------------------------------- which consultation

/** The consultation /relay means: explicit, or the one this staff member is handling now, or a card to choose. */
async function consultationFor(ctx: Ctx, explicit: string | null): Promise<{ id: string } | { candidates: Array<{ id: string; label: string }> }> {
  if (explicit) return { id: explicit };
  const today = toLocalDate(ctx.now);
  const open = (await listConsultations(ctx.deps, today, today)).filter((c) => ['meeting_ready', 'invited', 'in_progress'].includes(c.status));
  const mine = await ctx.deps.store.db
    .selectFrom('relays')
    .select('consultation_id')
    .where('accepted_by', '=', ctx.staff.id)
    .where('status', '=', 'accepted')
    .execute();
  const mineIds = new Set(mine.map((r) => r.consultation_id));
  const now = (c: { start: string; end: string }) => Date.parse(c.start) - 15 * MINUTE_MS <= ctx.now && ctx.now <= Date.parse(c.end) + 60 * MINUTE_MS;
  const ranked = [open.filter((c) => mineIds.has(c.id)), open.filter((c) => now(c) && c.bookedBy.startsWith(`staff:${ctx.staff.id}:`)), open.filter(now)];
  for (const group of [...ranked, open]) if (group.length === 1) return { id: group[0]!.id };
  return {
    candidates: open.map((c) => ({ id: c.id, label: `#${c.id} ${formatMinute(toLocalMinute(Date.parse(c.start)))} ${c.department.name} ${c.citizen.name}様` })),
  };
}

async function relayTo(ctx: Ctx, consultationId: string, department: Department, note: string): Promise<Reply> {
  const r = await requestRelay(relayDeps(ctx.deps), {
    consultationId,
    toDepartmentId: department.id,
    fromDepartmentId: ctx.staff.departmentId,
    note,
    requestedBy: ctx.staff.id,
  });
  if (!r.ok) return fromProblem(r.reason);
  ctx.deps.onQueued?.();
  const onDuty = (await staffOfDepartment(ctx.deps.store.db, department.id)).filter((s) => s.onDuty).map((s) => s.displayName);
  return say(
    `${department.name}を呼び出しました（相談 #${consultationId}、${r.value.position}番目）。${onDuty.length > 0 ? `当番: ${onDuty.join('、')}。` : ''}応答があればお知らせします。相談者には「${department.name}の担当者におつなぎしています。このままお待ちください。」とお伝えください。`,
    `${department.name} has been alerted (consultation #${consultationId}, position ${r.value.position}). You will be told who is coming.`,
  );
}

// ---------------------------------------------------------------- commands

interface Command {
  readonly name: CommandName;
  readonly help: { readonly ja: string; readonly en: string; readonly example: string };
  run(ctx: Ctx, args: string[], rest: string): Promise<Reply>;
}

const requireDepartment = (ctx: Ctx): Reply | null =>
  ctx.staff.departmentId ? null : say('先に所属の課を登録してください。例: /duty on 税務', 'Set your department first, e.g. /duty on tax');

/** The oldest relay waiting for the staff member's department, or the reply saying why there is none. */
async function myWaitingRelay(ctx: Ctx): Promise<{ relayId: string } | { reply: Reply }> {
  const need = requireDepartment(ctx);
  if (need) return { reply: need };
  const q = await waitingQueue(ctx.deps.store.db, ctx.now, ctx.staff.departmentId ?? undefined);
  return q[0] ? { relayId: q[0].relay.id } : { reply: say('あなたの課への呼び出しはありません。', 'Nothing is waiting for your department.') };
}

async function declineReply(ctx: Ctx, relayId: string): Promise<Reply> {
  const r = await declineRelay(relayDeps(ctx.deps), relayId, ctx.staff.id);
  if (!r.ok) return fromProblem(r.reason);
  ctx.deps.onQueued?.();
  return say(`相談 #${r.value.consultationId} のおつなぎをお断りしました。依頼した人に伝えます。`, 'Declined; the requester will be told.');
}

async function acceptReply(ctx: Ctx, relayId: string): Promise<Reply> {
  const r = await acceptRelay(relayDeps(ctx.deps), relayId, ctx.staff.id);
  if (!r.ok) return fromProblem(r.reason);
  ctx.deps.onQueued?.();
  if (r.value.won)
    return say(
      `相談 #${r.value.relay.consultationId} をお願いします。参加のための情報を個別にお送りしました。`,
      `Thank you. The join details for #${r.value.relay.consultationId} are on their way to you privately.`,
    );
  const by = r.value.relay.acceptedBy ? await getStaff(ctx.deps.store.db, r.value.relay.acceptedBy) : null;
  return say(
    `すでに${by?.displayName ?? 'ほかの方'}さんが対応しています（相談 #${r.value.relay.consultationId}）。`,
    `${by?.displayName ?? 'Someone else'} has already taken #${r.value.relay.consultationId}.`,
  );
}

const COMMANDS: ReadonlyArray<Command> = [
  {
    name: 'relay',
    help: { ja: '相談をほかの課へおつなぎします（課だけなら一覧）', en: 'Hand the consultation over to another department', example: '/relay 税務 相続の件' },
    async run(ctx, args) {
      if (args.length === 0) {
        const lines = await Promise.all(
          ctx.departments.map(async (d) => {
            const duty = (await staffOfDepartment(ctx.deps.store.db, d.id)).filter((s) => s.onDuty).map((s) => s.displayName);
            return `・${d.name}（${d.aliases.slice(0, 2).join('、')}）${duty.length > 0 ? ` 当番: ${duty.join('、')}` : ' 当番なし'}`;
          }),
        );
        return say(
          `おつなぎできる課:\n${lines.join('\n')}\n例: /relay 税務 相続の件`,
          'Departments you can relay to (on duty shown). Example: /relay tax inheritance',
        );
      }
      const { id, rest } = takeConsultationRef(args);
      const [typed, ...noteParts] = rest;
      if (!typed) return say('おつなぎ先の課を書いてください。例: /relay 税務 相続の件', 'Name the department, e.g. /relay tax');
      const dept = findDepartment(ctx, typed, '/relay 税務 相続の件');
      if (!dept.ok) return dept.reply;
      const note = noteParts.join(' ');
      const target = await consultationFor(ctx, id);
      if ('id' in target) return relayTo(ctx, target.id, dept.value, note);
      if (target.candidates.length === 0)
        return say(
          '今日のおつなぎできる相談が見つかりません。相談番号を付けてください。例: /relay 税務 #K7M2Q9XA',
          'No consultation today to relay; give its number, e.g. /relay tax #K7M2Q9XA',
        );
      return say(
        `どの相談を${dept.value.name}へおつなぎしますか？`,
        'Which consultation?',
        pickConsultationCard({ department: dept.value.name, note, candidates: target.candidates }),
      );
    },
  },
  {
    name: 'accept',
    help: { ja: '呼び出しに応じます（カードの「対応する」と同じ）', en: 'Take the oldest waiting relay to your department', example: '/accept' },
    async run(ctx) {
      const waiting = await myWaitingRelay(ctx);
      return 'reply' in waiting ? waiting.reply : acceptReply(ctx, waiting.relayId);
    },
  },
  {
    name: 'decline',
    help: { ja: '呼び出しをお断りします（依頼した人に伝わります）', en: 'Decline the oldest waiting relay to your department', example: '/decline' },
    async run(ctx) {
      const waiting = await myWaitingRelay(ctx);
      return 'reply' in waiting ? waiting.reply : declineReply(ctx, waiting.relayId);
    },
  },
  {
    name: 'done',
    help: { ja: '対応を終えます（おつなぎ、または #番号 の相談）', en: 'Finish your relay, or a consultation by its number', example: '/done' },
    async run(ctx, args) {
      const { id } = takeConsultationRef(args);
      const mine = await ctx.deps.store.db
        .selectFrom('relays')
        .select(['id', 'consultation_id'])
        .where('accepted_by', '=', ctx.staff.id)
        .where('status', '=', 'accepted')
        .$if(id !== null, (q) => q.where('consultation_id', '=', id!))
        .orderBy('accepted_at')
        .execute();
      if (mine[0]) {
        const r = await finishRelay(relayDeps(ctx.deps), mine[0].id, ctx.staff.id);
        if (!r.ok) return fromProblem(r.reason);
        ctx.deps.onQueued?.();
        return say(`おつなぎを終えました（相談 #${mine[0].consultation_id}）。お疲れさまでした。`, `Relay finished (#${mine[0].consultation_id}).`);
      }
      if (!id)
        return say(
          '終える対応がありません。相談を終えるときは番号を付けてください。例: /done #K7M2Q9XA',
          'Nothing to finish; to close a consultation give its number.',
        );
      return completeConsultation(ctx, id);
    },
  },
  {
    name: 'queue',
    help: { ja: '応答待ちのおつなぎ（課ごと、待ち時間つき）', en: 'Waiting relays across departments', example: '/queue' },
    async run(ctx) {
      const q = await waitingQueue(ctx.deps.store.db, ctx.now);
      if (q.length === 0) return say('応答待ちのおつなぎはありません。', 'No relay is waiting.');
      const name = (id: string | null) => ctx.departments.find((d) => d.id === id)?.name ?? '';
      return say(
        `応答待ち:\n${q.map((e) => `・${name(e.relay.toDepartmentId)} ${e.position}番目 #${e.relay.consultationId} ${e.waitingMinutes}分${e.relay.escalatedAt ? '（再呼び出し済み）' : ''}${e.relay.note ? ` ${e.relay.note}` : ''}`).join('\n')}`,
        `${q.length} relay(s) waiting.`,
      );
    },
  },
  {
    name: 'book',
    help: {
      ja: '相談を予約します（引数なしなら入力カード）',
      en: 'Book a consultation (no arguments: a form)',
      example: '/book 12/1 10:00 60 山田太郎 yamada@example.jp 税務',
    },
    async run(ctx, args) {
      if (args.length === 0) return bookForm(ctx);
      const [date, time, duration, name, email, dept, ...topic] = args;
      return book(ctx, { date, time, duration, name, email, department: dept, topic: topic.join(' ') });
    },
  },
  {
    name: 'today',
    help: { ja: '今日（または指定日）の相談', en: "Today's (or a date's) consultations", example: '/today 12/1' },
    async run(ctx, args) {
      const date = args[0] ? parseDate(args[0], ctx.now) : toLocalDate(ctx.now);
      if (!date) return say(`日付「${args[0]}」を読み取れません。例: /today 12/1`, `Cannot read the date "${args[0]}".`);
      const list = await listConsultations(ctx.deps, date, date);
      if (list.length === 0) return say(`${formatDateJa(localInstant(date, 0))} の相談はありません。`, `No consultations on ${date}.`);
      return say(
        `${date} の相談:\n${list.map((c) => `・${formatMinute(toLocalMinute(Date.parse(c.start)))}–${formatMinute(toLocalMinute(Date.parse(c.end)))} #${c.id} ${c.department.name} ${c.citizen.name}様（${statusLabelJa(c.status)}）`).join('\n')}`,
        `${list.length} consultation(s) on ${date}.`,
      );
    },
  },
  {
    name: 'status',
    help: { ja: '相談用アカウントの空き・使用中と次の相談', en: 'Each host account: free or in use, and the next consultation', example: '/status' },
    async run(ctx) {
      const hosts = await listHosts(ctx.deps.store.db);
      const today = toLocalDate(ctx.now);
      const list = (await listConsultations(ctx.deps, today, addDays(today, 30))).filter((c) => c.status !== 'cancelled' && c.status !== 'completed');
      const lines = hosts.map((h) => {
        const mine = list.filter((c) => c.hostId === h.id);
        const current = mine.find((c) => Date.parse(c.start) <= ctx.now && ctx.now < Date.parse(c.end));
        const next = mine.find((c) => Date.parse(c.start) > ctx.now);
        return `・${h.displayName}: ${current ? `使用中（#${current.id} ${formatMinute(toLocalMinute(Date.parse(current.end)))}まで）` : '空き'}${next ? ` 次: ${formatJa(Date.parse(next.start))} #${next.id}` : ' 次の予約なし'}`;
      });
      return say(lines.join('\n'), `${hosts.length} host account(s).`);
    },
  },
  {
    name: 'cancel',
    help: { ja: '相談を取り消します（相談者にお知らせが届きます）', en: 'Cancel a consultation', example: '/cancel #K7M2Q9XA 本人の都合' },
    async run(ctx, args) {
      const { id, rest } = takeConsultationRef(args);
      if (!id) return say('取り消す相談の番号を付けてください。例: /cancel #K7M2Q9XA 本人の都合', 'Give the consultation number, e.g. /cancel #K7M2Q9XA');
      const r = await cancelConsultation(ctx.deps, id, rest.join(' '), actorOf(ctx.staff));
      if (!r.ok) return fromProblem(r.reason);
      return say(`相談 #${id}（${formatJa(Date.parse(r.value.start))}）を取り消しました。`, `Cancelled #${id}.`);
    },
  },
  {
    name: 'move',
    help: { ja: '相談の日時を変えます', en: 'Move a consultation', example: '/move #K7M2Q9XA 12/2 13:00' },
    async run(ctx, args) {
      const { id, rest } = takeConsultationRef(args);
      const [d, t] = rest;
      const date = d ? parseDate(d, ctx.now) : null;
      const minute = t ? parseMinute(t) : null;
      if (!id || !date || minute === null)
        return say('番号・日付・時刻を付けてください。例: /move #K7M2Q9XA 12/2 13:00', 'Give number, date and time, e.g. /move #K7M2Q9XA 12/2 13:00');
      const r = await rescheduleConsultation(ctx.deps, id, { start: localInstant(date, minute) }, actorOf(ctx.staff));
      if (!r.ok) return fromProblem(r.reason, '/move #K7M2Q9XA 12/2 13:00');
      return say(`相談 #${id} を ${formatJa(Date.parse(r.value.start))} に変更しました。相談者にお知らせが届きます。`, `Moved #${id} to ${r.value.start}.`);
    },
  },
  {
    name: 'duty',
    help: { ja: '当番の開始・終了（課の登録も）', en: 'Go on or off duty (and set your department)', example: '/duty on 税務' },
    async run(ctx, args) {
      const [onOff, typed] = args;
      const on = ['on', '開始', 'はじめ', '入る'].includes((onOff ?? '').toLowerCase());
      const off = ['off', '終了', 'おわり', '抜ける'].includes((onOff ?? '').toLowerCase());
      if (!on && !off) return say('on か off を付けてください。例: /duty on 税務', 'Say on or off, e.g. /duty on tax');
      let departmentId = ctx.staff.departmentId;
      if (typed) {
        const dept = findDepartment(ctx, typed, '/duty on 税務');
        if (!dept.ok) return dept.reply;
        departmentId = dept.value.id;
      }
      if (on && !departmentId) return say('課も付けてください。例: /duty on 税務', 'Add your department, e.g. /duty on tax');
      await setDuty(ctx.deps.store.db, ctx.staff.id, on, departmentId ?? undefined);
      const name = ctx.departments.find((d) => d.id === departmentId)?.name ?? '';
      return say(
        on ? `${name}の当番を始めました。呼び出しがあればお知らせします。` : `${name}の当番を終えました。`,
        on ? `You are on duty for ${name}.` : 'You are off duty.',
      );
    },
  },
  {
    name: 'app',
    help: {
      ja: '会議内アプリのスタッフ画面（市民のいまの画面・同意・書類がその場で見られます）のリンク',
      en: 'Link to the staff view of the in-meeting app: the citizen’s step, consent and documents, live',
      example: '/app #K7M2Q9XA',
    },
    async run(ctx, args) {
      // The link acts as this staff member for 12 hours: never posted where others read it.
      if (!ctx.direct)
        return say(
          'スタッフ画面のリンクは、ボットとの 1 対 1 のチャットで /app と送ってください（ここではほかの人にも見えてしまいます）。',
          'Send /app to the bot in a one-to-one chat: the link would be visible to everyone here.',
        );
      const { id } = takeConsultationRef(args);
      const target = await consultationFor(ctx, id);
      if (!('id' in target)) {
        if (target.candidates.length === 0)
          return say('今日の相談が見つかりません。相談番号を付けてください。例: /app #K7M2Q9XA', 'No consultation today; give its number, e.g. /app #K7M2Q9XA');
        return say(
          `どの相談ですか？ 番号を付けて送ってください。\n${target.candidates.map((c) => c.label).join('\n')}\n例: /app #${target.candidates[0]!.id}`,
          'Which consultation? Send /app with its number.',
        );
      }
      const c = await viewById(ctx.deps.store.db, target.id);
      if (!c) return say(`相談 #${target.id} は見つかりません。`, `Consultation #${target.id} was not found.`);
      const url = staffLink(ctx.deps.config.publicBaseUrl, await linkKey(ctx.deps.store.db, ctx.deps.config.secretKey), c.id, ctx.staff.id, ctx.now);
      return say(
        `相談 #${c.id}（${c.citizen.name} 様、${formatJa(Date.parse(c.start))}）のスタッフ画面です。12時間使えます。ほかの人には渡さないでください。\n${url}`,
        `Staff view of consultation #${c.id} (valid 12 hours; do not pass it on): ${url}`,
      );
    },
  },
  {
    name: 'help',
    help: { ja: 'この一覧', en: 'This list', example: '/help' },
    async run() {
      return say(
        `使えるコマンド（/ は省略できます）:\n${COMMANDS.map((c) => `${c.help.example}  — ${c.help.ja}（${COMMAND_ALIASES[c.name].slice(0, 2).join('、')}）`).join('\n')}`,
        `Commands: ${COMMANDS.map((c) => `/${c.name}`).join(' ')}`,
      );
    },
  },
];

// ---------------------------------------------------------------- booking helpers

/** '12/1', '2026-12-01', '12月1日' → the next such date from now. */
export function parseDate(text: string, now: number): string | null {
  const t = text.normalize('NFKC').trim();
  if (isLocalDate(t)) return t;
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

async function bookForm(ctx: Ctx): Promise<Reply> {
  const today = toLocalDate(ctx.now);
  const slots = await freeSlots(ctx.deps, { from: today, to: addDays(today, 14), durationMinutes: 60 });
  const first = slots.ok ? slots.value[0] : undefined;
  const date = first ? first.start.slice(0, 10) : today;
  const times = slots.ok ? slots.value.filter((s) => s.start.startsWith(date)).map((s) => s.start.slice(11, 16)) : [];
  return say('予約の内容を入れてください。', 'Fill in the booking.', bookCard({ departments: ctx.departments.map((d) => d.name), date, times }));
}

async function book(
  ctx: Ctx,
  f: {
    date?: string | undefined;
    time?: string | undefined;
    duration?: string | undefined;
    name?: string | undefined;
    email?: string | undefined;
    department?: string | undefined;
    topic?: string | undefined;
  },
): Promise<Reply> {
  const example = '/book 12/1 10:00 60 山田太郎 yamada@example.jp 税務';
  const date = f.date ? parseDate(f.date, ctx.now) : null;
  const minute = f.time ? parseMinute(f.time) : null;
  const duration = Number(f.duration);
  if (!date) return say(`日付を読み取れません（「${f.date ?? ''}」）。例: ${example}`, 'Cannot read the date.');
  if (minute === null) return say(`時刻を読み取れません（「${f.time ?? ''}」）。例: ${example}`, 'Cannot read the time.');
  if (!Number.isInteger(duration) || duration < 5 || duration > 600)
    return say(`相談時間（分）を数字で入れてください（「${f.duration ?? ''}」）。例: ${example}`, 'Give the length in minutes.');
  if (!f.name) return say(`相談者のお名前を入れてください。例: ${example}`, 'Give the citizen name.');
  if (!f.email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(f.email))
    return say(`相談者のメールアドレスを入れてください（「${f.email ?? ''}」）。例: ${example}`, 'Give a valid email address.');
  if (!f.department) return say(`担当課を入れてください。例: ${example}`, 'Give the department.');
  const r = await bookConsultation(
    ctx.deps,
    { start: localInstant(date, minute), durationMinutes: duration, department: f.department, citizen: { name: f.name, email: f.email }, topic: f.topic ?? '' },
    actorOf(ctx.staff),
  );
  if (!r.ok) return fromProblem(r.reason, example);
  const c = r.value.consultation;
  return say(
    `予約しました: #${c.id} ${formatJa(Date.parse(c.start))}（${c.durationMinutes}分）${c.department.name} ${c.citizen.name}様。会議の準備ができたら、案内メールを送ります。`,
    `Booked #${c.id} at ${c.start}. The invitation goes out once the meeting is ready.`,
  );
}

async function completeConsultation(ctx: Ctx, id: string): Promise<Reply> {
  const c = await viewById(ctx.deps.store.db, id);
  if (!c) return say(`相談 #${id} は見つかりません。`, `Consultation #${id} was not found.`);
  let status = c.status as ConsultationStatus;
  if (status === 'meeting_ready' || status === 'invited') {
    const started = transition(status, 'started');
    if (started.ok) status = started.value;
  }
  const done = transition(status, 'completed');
  if (!done.ok) return fromProblem(done.reason);
  if (Date.parse(c.start) > ctx.now) return say(`相談 #${id} はまだ始まっていません（${formatJa(Date.parse(c.start))}）。`, 'It has not started yet.');
  const open = await openRelayOf(ctx.deps.store.db, id);
  if (open) return say(`相談 #${id} には${STATUS_JA[open.status]}のおつなぎがあります。先にそれを終えてください。`, 'Finish its open relay first.');
  const r = await ctx.deps.store.db
    .updateTable('consultations')
    .set({ status: done.value, updated_at: new Date(ctx.now).toISOString() })
    .where('id', '=', id)
    .where('status', '=', c.status)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return say('同時に変更されました。もう一度お試しください。', 'Changed at the same time; try again.');
  await writeAudit(ctx.deps.store.db, ctx.deps.ids, ctx.now, {
    actor: actorOf(ctx.staff),
    action: 'consultation.completed',
    entity: 'consultation',
    entityId: id,
    before: { status: c.status },
    after: { status: done.value },
  });
  return say(`相談 #${id} を完了にしました。お疲れさまでした。`, `Consultation #${id} completed.`);
}

// ---------------------------------------------------------------- entry points

async function context(deps: BotDeps, sender: Sender): Promise<Ctx> {
  const now = deps.clock();
  const staff = await staffFor(deps.store.db, deps.ids, now, {
    platform: sender.platform,
    userId: sender.userId,
    displayName: sender.displayName,
    ...(sender.email ? { email: sender.email } : {}),
  });
  return { deps, staff, now, departments: await listDepartments(deps.store.db), direct: sender.direct !== false };
}

/** One chat message from a staff member → the reply. Never throws for bad input; never silent. */
export async function handleMessage(deps: BotDeps, sender: Sender, text: string, botName?: string): Promise<Reply> {
  const parsed = parseCommand(text, botName);
  if (!parsed.ok) {
    if (parsed.reason === 'empty') return say('コマンドを入れてください。/help で一覧を出します。', 'Type a command; /help lists them.');
    return say(
      `「${parsed.word}」というコマンドはありません。${parsed.suggestions.length > 0 ? `もしかして: ${parsed.suggestions.map((s) => `/${s}`).join(' ')}` : '/help で一覧を出します。'}`,
      `Unknown command "${parsed.word}".${parsed.suggestions.length > 0 ? ` Did you mean ${parsed.suggestions.map((s) => `/${s}`).join(' ')}?` : ' Try /help.'}`,
    );
  }
  const command = COMMANDS.find((c) => c.name === parsed.command)!;
  try {
    return await command.run(await context(deps, sender), [...parsed.args], parsed.rest);
  } catch (error) {
    return failed(deps, error, command.name);
  }
}

function failed(deps: BotDeps, error: unknown, what: string): Reply {
  deps.log.error({ err: error instanceof Error ? error.message : String(error), command: what }, 'bot command failed');
  return say(
    '処理中に問題が起きました。少し待ってからもう一度お試しください。続く場合は管理者に連絡してください。',
    'Something went wrong; please try again shortly.',
  );
}

/** A card button (Action.Submit data, with the card's inputs) → the reply. */
export async function handleAction(deps: BotDeps, sender: Sender, data: Record<string, unknown>): Promise<Reply> {
  try {
    return await runAction(deps, await context(deps, sender), sender, data);
  } catch (error) {
    return failed(deps, error, `action:${String(data.verb)}`);
  }
}

/**
 * A department's alert channel may be set from chat only by the card the bot posted when it was added to that channel,
 * pressed in that channel, once. Anyone else (another channel, a Webex card, a replayed card) is told to ask an admin.
 */
async function linkChannel(ctx: Ctx, sender: Sender, channel: string, offer: string, typed: string): Promise<Reply> {
  const { db } = ctx.deps.store;
  const refused = () => {
    ctx.deps.log.warn({ staffId: ctx.staff.id, platform: sender.platform }, 'channel link refused: not the install card of that channel');
    return say(
      '課の呼び出し先のチャネルは、管理者が管理画面（課）で変えます。ボットをチャネルに追加したときのカードからも一度だけ選べます。',
      'A department’s alert channel is changed by an admin on the admin page (Departments), or once from the card the bot posts when it is added to the channel.',
    );
  };
  if (sender.platform !== 'teams' || !channel || sender.space !== channel) return refused();
  const dept = findDepartment(ctx, typed, '税務課');
  if (!dept.ok) return dept.reply;
  if (!(await takeChannelLinkOffer(db, ctx.now, 'teams', channel, offer))) return refused();
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('departments').set({ teams_channel: channel }).where('id', '=', dept.value.id).execute();
    await writeAudit(trx, ctx.deps.ids, ctx.now, {
      actor: actorOf(ctx.staff),
      action: 'department.teams_channel',
      entity: 'department',
      entityId: dept.value.id,
      before: { teamsChannel: dept.value.teamsChannel ?? '' },
      after: { teamsChannel: channel, via: 'install card' },
    });
  });
  return say(
    `このチャネルで${dept.value.name}への呼び出しを受けます。変えるときは管理者に頼んでください。`,
    `Relay alerts for ${dept.value.name} will come to this channel. An admin can change it later.`,
  );
}

async function runAction(deps: BotDeps, ctx: Ctx, sender: Sender, data: Record<string, unknown>): Promise<Reply> {
  const s = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : undefined);
  const verb = s('verb') as CardAction['verb'] | undefined;
  const relayId = s('relayId') ?? '';
  switch (verb) {
    case 'accept':
      return acceptReply(ctx, relayId);
    case 'decline':
      return declineReply(ctx, relayId);
    case 'keep-waiting':
      return say('このままお待ちください。応答があればお知らせします。', 'Keep waiting; you will be told.');
    case 'cancel-relay': {
      const r = await cancelRelay(relayDeps(deps), relayId, ctx.staff.id);
      if (!r.ok) return fromProblem(r.reason);
      deps.onQueued?.();
      return say('おつなぎをやめました。相談者にお伝えください。', 'Relay cancelled.');
    }
    case 'reroute': {
      const typed = s('department');
      if (!typed) return say('おつなぎ先の課を選んでください。', 'Choose a department.');
      const relay = await ctx.deps.store.db.selectFrom('relays').select(['consultation_id', 'status', 'note']).where('id', '=', relayId).executeTakeFirst();
      if (!relay) return say('このおつなぎは見つかりません。', 'Relay not found.');
      if (relay.status === 'requested') await cancelRelay(relayDeps(deps), relayId, ctx.staff.id);
      const dept = findDepartment(ctx, typed, '/relay 税務');
      if (!dept.ok) return dept.reply;
      return relayTo(ctx, relay.consultation_id, dept.value, relay.note);
    }
    case 'relay': {
      const dept = findDepartment(ctx, s('department') ?? '', '/relay 税務');
      if (!dept.ok) return dept.reply;
      return relayTo(ctx, s('consultationId') ?? '', dept.value, s('note') ?? '');
    }
    case 'link-channel':
      return linkChannel(ctx, sender, s('channel') ?? '', s('offer') ?? '', s('department') ?? '');
    case 'book':
      return book(ctx, {
        date: s('date'),
        time: s('time'),
        duration: s('duration'),
        name: s('name'),
        email: s('email'),
        department: s('department'),
        topic: s('topic'),
      });
    default:
      return say('このボタンは古いか、読み取れません。/help をお試しください。', 'This button is unknown or outdated; try /help.');
  }
}

/** For tests and the console: the help texts, generated from the command list. */
export const COMMAND_HELP = COMMANDS.map((c) => ({ name: c.name, ...c.help }));
