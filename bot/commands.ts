// The staff bot's commands, as data: each has its name, its aliases (parse.ts), its help, how to read the words after
// it (pure, so a mistyped one is answered with what is missing), and what it does. /help is made from this table.
import { addDays, formatDateJa, formatJa, formatMinute, localInstant, parseMinute, toLocalDate, toLocalMinute } from '../core/time.ts';
import { listHosts } from '../scheduler/hosts.ts';
import { listSites } from '../scheduler/sites.ts';
import { cancelConsultation, completeConsultation, rescheduleConsultation } from '../scheduler/consultations.ts';
import { listConsultations, viewById } from '../scheduler/views.ts';
import { statusLabelJa } from '../scheduler/status.ts';
import { RELAYS_EVENT, acceptedBy, finishRelay, waitingQueue } from '../relay/store.ts';
import { setDuty, staffOfDepartment } from '../relay/staff.ts';
import { boardLink, linkKey, staffLink } from '../core/links.ts';
import { pickConsultationCard } from './cards.ts';
import type { Ctx, Reply } from './context.ts';
import { actorOf, findDepartment, fromProblem, relayDeps, say } from './context.ts';
import type { CommandName } from './parse.ts';
import { COMMAND_ALIASES, COMMAND_NAMES, parseCallWords, parseDate, takeConsultationRef } from './parse.ts';
import { CALL_EXAMPLE, callReply, extendReply, siteReply } from './walk-in.ts';
import { openWalkInsBy } from '../scheduler/walk-ins.ts';
import { acceptReply, book, bookForm, consultationFor, declineReply, myWaitingRelay, relayTo } from './replies.ts';

export interface Help {
  readonly ja: string;
  readonly en: string;
  readonly example: string;
}

/** The words after the command. */
export interface Words {
  readonly args: ReadonlyArray<string>;
  readonly rest: string;
  readonly now: number;
}

export type Parsed<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly reply: Reply };

export interface Command {
  readonly name: CommandName;
  readonly aliases: ReadonlyArray<string>;
  readonly help: Help;
  /** What the words mean, or the reply saying what is missing. Pure. */
  readonly parse: (words: Words) => Parsed<unknown>;
  readonly run: (ctx: Ctx, input: unknown) => Promise<Reply>;
}

/** A command whose `run` gets exactly what its `parse` read. */
function command<A>(c: { name: CommandName; help: Help; parse: (words: Words) => Parsed<A>; run: (ctx: Ctx, input: A) => Promise<Reply> }): Command {
  return { ...c, aliases: COMMAND_ALIASES[c.name], run: (ctx, input) => c.run(ctx, input as A) };
}

const read = <A>(value: A): Parsed<A> => ({ ok: true, value });
const missing = (ja: string, en: string): Parsed<never> => ({ ok: false, reply: say(ja, en) });
const none = () => read(null);

const relay = command({
  name: 'relay',
  help: {
    ja: '相談をほかの課へおつなぎします（課の名前のあとに用件を書けます）',
    en: 'Hand the consultation over to another department',
    example: '/relay 税務 相続の件',
  },
  parse: ({ args }) => {
    if (args.length === 0) return read(null);
    const { id, rest } = takeConsultationRef(args);
    const [department, ...note] = rest;
    if (!department) return missing('おつなぎ先の課を書いてください。例: /relay 税務 相続の件', 'Name the department, e.g. /relay tax');
    return read({ id, department, note: note.join(' ') });
  },
  async run(ctx, input) {
    if (!input) {
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
    const dept = findDepartment(ctx, input.department, '/relay 税務 相続の件');
    if (!dept.ok) return dept.reply;
    const target = await consultationFor(ctx, input.id);
    if ('id' in target) return relayTo(ctx, target.id, dept.value, input.note);
    if (target.candidates.length === 0) {
      return say(
        '今日のおつなぎできる相談が見つかりません。相談番号を付けてください。例: /relay 税務 #K7M2Q9XA',
        'No consultation today to relay; give its number, e.g. /relay tax #K7M2Q9XA',
      );
    }
    return say(
      `どの相談を${dept.value.name}へおつなぎしますか？`,
      'Which consultation?',
      pickConsultationCard({ department: dept.value.name, note: input.note, candidates: target.candidates }),
    );
  },
});

const call = command({
  name: 'call',
  help: {
    ja: '支所の窓口に来られた方を、いますぐ本庁の課へつなぎます（@番号で端末、! で時間外）',
    en: 'Connect a citizen at your branch counter to a department now',
    example: CALL_EXAMPLE,
  },
  parse: ({ args }) => {
    const w = parseCallWords(args);
    if (!w.department) return missing(`つなぐ課を書いてください。例: ${CALL_EXAMPLE}`, 'Name the department, e.g. /call tax inheritance');
    return read({ ...w, department: w.department });
  },
  run: (ctx, w) => callReply(ctx, w),
});

const extend = command({
  name: 'extend',
  help: { ja: '続いている相談を延長します（分）。時間の制限はありません', en: 'Let a consultation run on (minutes)', example: '/extend 30' },
  parse: ({ args }) => {
    const { id, rest } = takeConsultationRef(args);
    const minutes = rest[0] === undefined ? 30 : Number(rest[0].replace(/分$/, ''));
    if (!Number.isInteger(minutes) || minutes < 5 || minutes > 240)
      return missing('延長する分を 5〜240 の数字で書いてください。例: /extend 30', 'Give the minutes (5–240), e.g. /extend 30');
    return read({ minutes, id });
  },
  run: (ctx, o) => extendReply(ctx, o),
});

const site = command({
  name: 'site',
  help: { ja: 'あなたの拠点（本庁・支所）を登録します（なしなら一覧）', en: 'Say where you work (main office or a branch)', example: '/site 北支所' },
  parse: ({ rest }) => read(rest.trim()),
  run: (ctx, typed) => siteReply(ctx, typed),
});

const accept = command({
  name: 'accept',
  help: { ja: '呼び出しに応じます（カードの「対応する」と同じ）', en: 'Take the oldest waiting relay to your department', example: '/accept' },
  parse: none,
  async run(ctx) {
    const waiting = await myWaitingRelay(ctx);
    return 'reply' in waiting ? waiting.reply : acceptReply(ctx, waiting.relayId);
  },
});

const decline = command({
  name: 'decline',
  help: {
    ja: '呼び出しに「対応できない」と答えます（ほかの方はまだ応じられます）',
    en: 'Say you cannot take the oldest waiting relay (others may still)',
    example: '/decline',
  },
  parse: none,
  async run(ctx) {
    const waiting = await myWaitingRelay(ctx);
    return 'reply' in waiting ? waiting.reply : declineReply(ctx, waiting.relayId);
  },
});

const done = command({
  name: 'done',
  help: { ja: '対応を終えます（おつなぎ、または #番号 の相談）', en: 'Finish your relay, or a consultation by its number', example: '/done' },
  parse: ({ args }) => read(takeConsultationRef(args).id),
  async run(ctx, id) {
    const [mine] = await acceptedBy(ctx.deps.store.db, ctx.staff.id, id);
    if (mine) {
      const r = await finishRelay(relayDeps(ctx.deps), mine.id, ctx.staff.id);
      if (!r.ok) return fromProblem(r.reason);
      return say(`おつなぎを終えました（相談 #${mine.consultationId}）。お疲れさまでした。`, `Relay finished (#${mine.consultationId}).`);
    }
    // The branch ends its walk-in: the citizen leaves the counter, and what is still open for it ends with it.
    const walkIn = id ? null : ((await openWalkInsBy(ctx.deps.store.db, ctx.staff.id))[0]?.id ?? null);
    const target = id ?? walkIn;
    if (!target)
      return say(
        '終える対応がありません。相談を終えるときは番号を付けてください。例: /done #K7M2Q9XA',
        'Nothing to finish; to close a consultation give its number.',
      );
    const view = await viewById(ctx.deps.store.db, target);
    const r = await completeConsultation(ctx.deps, target, actorOf(ctx.staff), { endingWhatIsOpen: view?.kind === 'walk_in' });
    if (!r.ok) return fromProblem(r.reason);
    return say(
      view?.kind === 'walk_in' ? `来庁者の相談 #${target} を終えました。お疲れさまでした。` : `相談 #${target} を完了にしました。お疲れさまでした。`,
      `Consultation #${target} completed.`,
    );
  },
});

const queue = command({
  name: 'queue',
  help: { ja: '応答待ちのおつなぎ（課ごと、待ち時間つき）', en: 'Waiting relays across departments', example: '/queue' },
  parse: none,
  async run(ctx) {
    const q = await waitingQueue(ctx.deps.store.db, ctx.now);
    if (q.length === 0) return say('応答待ちのおつなぎはありません。', 'No relay is waiting.');
    const name = (id: string | null) => ctx.departments.find((d) => d.id === id)?.name ?? '';
    const sites = await listSites(ctx.deps.store.db);
    const from = await Promise.all(
      q.map(async (e) => {
        const c = await viewById(ctx.deps.store.db, e.relay.consultationId);
        return c?.kind === 'walk_in' ? `（${sites.find((s) => s.id === c.siteId)?.name ?? ''}の窓口から）` : '';
      }),
    );
    const lines = q.map(
      (e, i) =>
        `・${name(e.relay.toDepartmentId)} ${e.position}番目 #${e.relay.consultationId}${from[i]} ${e.waitingMinutes}分${e.relay.escalatedAt ? '（再呼び出し済み）' : ''}${e.relay.note ? ` ${e.relay.note}` : ''}`,
    );
    return say(`応答待ち:\n${lines.join('\n')}`, `${q.length} relay(s) waiting.`);
  },
});

const bookCommand = command({
  name: 'book',
  help: {
    ja: '相談を予約します（引数なしなら入力カード）',
    en: 'Book a consultation (no arguments: a form)',
    example: '/book 12/1 10:00 60 山田太郎 yamada@example.jp 税務',
  },
  parse: ({ args }) => {
    if (args.length === 0) return read(null);
    const [date, time, duration, ...rest] = args;
    // A name may have a space (山田 太郎): it runs up to the email address.
    const at = rest.findIndex((a) => a.includes('@'));
    if (at > 0) {
      const [email, department, ...topic] = rest.slice(at);
      return read({ date, time, duration, name: rest.slice(0, at).join(' '), email, department, topic: topic.join(' ') });
    }
    const [name, email, department, ...topic] = rest;
    return read({ date, time, duration, name, email, department, topic: topic.join(' ') });
  },
  run: (ctx, words) => (words ? book(ctx, words) : bookForm(ctx)),
});

const today = command({
  name: 'today',
  help: { ja: '今日（または指定日）の相談', en: "Today's (or a date's) consultations", example: '/today 12/1' },
  parse: ({ args, now }) => {
    const date = args[0] ? parseDate(args[0], now) : toLocalDate(now);
    return date ? read(date) : missing(`日付「${args[0]}」を読み取れません。例: /today 12/1`, `Cannot read the date "${args[0]}".`);
  },
  async run(ctx, date) {
    const list = await listConsultations(ctx.deps.store.db, date, date);
    const [hosts, sites] = await Promise.all([listHosts(ctx.deps.store.db), listSites(ctx.deps.store.db)]);
    const where = (hostId: string) => {
      const h = hosts.find((x) => x.id === hostId);
      return h ? `${sites.find((s) => s.id === h.siteId)?.name ?? ''} ${h.displayName}` : '';
    };
    if (list.length === 0) return say(`${formatDateJa(localInstant(date, 0))} の相談はありません。`, `No consultations on ${date}.`);
    const lines = list.map(
      (c) =>
        `・${formatMinute(toLocalMinute(Date.parse(c.start)))}–${c.kind === 'walk_in' && c.status === 'in_progress' ? '' : formatMinute(toLocalMinute(Date.parse(c.end)))} #${c.id} ${c.department.name} ${c.kind === 'walk_in' ? `来庁者${c.citizen.name ? `（${c.citizen.name}）` : ''}` : `${c.citizen.name}様`} ${where(c.hostId)}（${statusLabelJa(c.status)}）`,
    );
    return say(`${date} の相談:\n${lines.join('\n')}`, `${list.length} consultation(s) on ${date}.`);
  },
});

const status = command({
  name: 'status',
  help: { ja: '相談用アカウントの空き・使用中と次の相談', en: 'Each host account: free or in use, and the next consultation', example: '/status' },
  parse: none,
  async run(ctx) {
    const hosts = await listHosts(ctx.deps.store.db);
    const sites = await listSites(ctx.deps.store.db);
    const siteName = (id: string) => sites.find((s) => s.id === id)?.name ?? '';
    const from = toLocalDate(ctx.now);
    const list = (await listConsultations(ctx.deps.store.db, from, addDays(from, 30))).filter((c) => c.status !== 'cancelled' && c.status !== 'completed');
    const lines = hosts.map((h) => {
      const mine = list.filter((c) => c.hostId === h.id);
      const current = mine.find((c) => Date.parse(c.start) <= ctx.now && (ctx.now < Date.parse(c.end) || c.status === 'in_progress'));
      const next = mine.find((c) => Date.parse(c.start) > ctx.now);
      const now = current
        ? `使用中（${current.kind === 'walk_in' ? `来庁者 #${current.id}` : `#${current.id} ${formatMinute(toLocalMinute(Date.parse(current.end)))}まで`}）`
        : '空き';
      return `・${siteName(h.siteId)} ${h.displayName}: ${now}${next ? ` 次: ${formatJa(Date.parse(next.start))} #${next.id}` : ' 次の予約なし'}`;
    });
    const duty = await Promise.all(
      ctx.departments.map(async (d) => ({ d, names: (await staffOfDepartment(ctx.deps.store.db, d.id)).filter((s) => s.onDuty).map((s) => s.displayName) })),
    );
    const onDuty = duty.filter((x) => x.names.length > 0).map((x) => `${x.d.name}: ${x.names.join('、')}`);
    return say(
      `${lines.join('\n')}\n当番: ${onDuty.length > 0 ? onDuty.join(' / ') : 'いません'}`,
      `${hosts.length} host account(s); ${onDuty.length} department(s) with someone on duty.`,
    );
  },
});

const cancel = command({
  name: 'cancel',
  help: { ja: '相談を取り消します（相談者にお知らせが届きます）', en: 'Cancel a consultation', example: '/cancel #K7M2Q9XA 本人の都合' },
  parse: ({ args }) => {
    const { id, rest } = takeConsultationRef(args);
    return id
      ? read({ id, reason: rest.join(' ') })
      : missing('取り消す相談の番号を付けてください。例: /cancel #K7M2Q9XA 本人の都合', 'Give the consultation number, e.g. /cancel #K7M2Q9XA');
  },
  async run(ctx, { id, reason }) {
    const r = await cancelConsultation(ctx.deps, id, reason, actorOf(ctx.staff));
    if (!r.ok) return fromProblem(r.reason);
    return say(`相談 #${id}（${formatJa(Date.parse(r.value.start))}）を取り消しました。`, `Cancelled #${id}.`);
  },
});

const move = command({
  name: 'move',
  help: { ja: '相談の日時を変えます', en: 'Move a consultation', example: '/move #K7M2Q9XA 12/2 13:00' },
  parse: ({ args, now }) => {
    const { id, rest } = takeConsultationRef(args);
    const [d, t] = rest;
    const date = d ? parseDate(d, now) : null;
    const minute = t ? parseMinute(t) : null;
    if (!id || !date || minute === null)
      return missing('番号・日付・時刻を付けてください。例: /move #K7M2Q9XA 12/2 13:00', 'Give number, date and time, e.g. /move #K7M2Q9XA 12/2 13:00');
    return read({ id, start: localInstant(date, minute) });
  },
  async run(ctx, { id, start }) {
    const r = await rescheduleConsultation(ctx.deps, id, { start }, actorOf(ctx.staff));
    if (!r.ok) return fromProblem(r.reason, '/move #K7M2Q9XA 12/2 13:00');
    return say(`相談 #${id} を ${formatJa(Date.parse(r.value.start))} に変更しました。相談者にお知らせが届きます。`, `Moved #${id} to ${r.value.start}.`);
  },
});

const ON = ['on', '開始', 'はじめ', '入る'];
const OFF = ['off', '終了', 'おわり', '抜ける'];

const duty = command({
  name: 'duty',
  help: { ja: '当番の開始・終了（課の登録も）', en: 'Go on or off duty (and set your department)', example: '/duty on 税務' },
  parse: ({ args }) => {
    const [onOff, department] = args;
    const word = (onOff ?? '').toLowerCase();
    if (!ON.includes(word) && !OFF.includes(word)) return missing('on か off を付けてください。例: /duty on 税務', 'Say on or off, e.g. /duty on tax');
    return read({ on: ON.includes(word), department });
  },
  async run(ctx, { on, department }) {
    let departmentId = ctx.staff.departmentId;
    if (department) {
      const dept = findDepartment(ctx, department, '/duty on 税務');
      if (!dept.ok) return dept.reply;
      departmentId = dept.value.id;
    }
    if (on && !departmentId) return say('課も付けてください。例: /duty on 税務', 'Add your department, e.g. /duty on tax');
    const { until } = await setDuty(ctx.deps.store.db, ctx.deps.ids, ctx.now, ctx.staff.id, on, {
      departmentId: departmentId ?? undefined,
      endsAtMinute: ctx.deps.config.relay.dutyEndsAtMinute,
    });
    // The boards and counter pages show who is on duty.
    await ctx.deps.events?.changed(RELAYS_EVENT);
    const name = ctx.departments.find((d) => d.id === departmentId)?.name ?? '';
    return say(
      on
        ? `${name}の当番を始めました。呼び出しがあればお知らせします。当番は${until ? formatJa(until) : ''}に自動で終わります（/duty off でいつでも終えられます）。`
        : `${name}の当番を終えました。`,
      on ? `You are on duty for ${name}.` : 'You are off duty.',
    );
  },
});

const app = command({
  name: 'app',
  help: {
    ja: '会議内アプリのスタッフ画面（市民のいまの画面・同意・書類がその場で見られます）のリンク',
    en: 'Link to the staff view of the in-meeting app: the citizen’s step, consent and documents, live',
    example: '/app #K7M2Q9XA',
  },
  parse: ({ args }) => read(takeConsultationRef(args).id),
  async run(ctx, id) {
    // The link acts as this staff member for 12 hours: never posted where others read it.
    if (!ctx.direct) {
      return say(
        'スタッフ画面のリンクは、ボットとの 1 対 1 のチャットで /app と送ってください（ここではほかの人にも見えてしまいます）。',
        'Send /app to the bot in a one-to-one chat: the link would be visible to everyone here.',
      );
    }
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
});

const board = command({
  name: 'board',
  help: {
    ja: '自分の課の呼び出しボード（音と点滅で呼び出しを知らせる画面）のリンク',
    en: 'Link to your department’s alert board (sound and flashing lamp)',
    example: '/board',
  },
  parse: ({ rest }) => read(rest.trim()),
  async run(ctx, typed) {
    // The link acts as this staff member for 12 hours: never posted where others read it.
    if (!ctx.direct) {
      return say(
        '呼び出しボードのリンクは、ボットとの 1 対 1 のチャットで /board と送ってください（ここではほかの人にも見えてしまいます）。',
        'Send /board to the bot in a one-to-one chat: the link would be visible to everyone here.',
      );
    }
    let departmentId = ctx.staff.departmentId;
    if (typed) {
      const dept = findDepartment(ctx, typed, '/board 税務');
      if (!dept.ok) return dept.reply;
      departmentId = dept.value.id;
    }
    if (!departmentId) return say('課を付けてください。例: /board 税務（/duty on 税務 で課を登録すると省けます）', 'Name the department, e.g. /board tax');
    const name = ctx.departments.find((d) => d.id === departmentId)?.name ?? '';
    const url = boardLink(ctx.deps.config.publicBaseUrl, await linkKey(ctx.deps.store.db, ctx.deps.config.secretKey), departmentId, ctx.staff.id, ctx.now);
    return say(
      `${name}の呼び出しボードです。机や壁の画面で開き、一度タップすると音が鳴るようになります。12時間使えます。ほかの人には渡さないでください。\n${url}`,
      `The ${name} alert board (valid 12 hours; do not pass it on): ${url}`,
    );
  },
});

const help = command({
  name: 'help',
  help: { ja: 'この一覧', en: 'This list', example: '/help' },
  parse: none,
  async run() {
    const lines = COMMAND_NAMES.map((n) => COMMANDS[n]).map((c) => `${c.help.example}  — ${c.help.ja}（${c.aliases.slice(0, 2).join('、')}）`);
    return say(`使えるコマンド（/ は省略できます）:\n${lines.join('\n')}`, `Commands: ${COMMAND_NAMES.map((n) => `/${n}`).join(' ')}`);
  },
});

export const COMMANDS: Record<CommandName, Command> = {
  call,
  relay,
  accept,
  decline,
  done,
  extend,
  queue,
  book: bookCommand,
  today,
  status,
  cancel,
  move,
  duty,
  site,
  board,
  app,
  help,
};

/** For /help, the console and the Teams manifest: the help texts, in the order of the list. */
export const COMMAND_HELP = COMMAND_NAMES.map((name) => ({ name, ...COMMANDS[name].help }));
