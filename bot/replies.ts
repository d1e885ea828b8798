// What the bot does and says for a relay and a booking, shared by the commands and the card buttons.
import { MINUTE_MS, addDays, formatJa, formatMinute, localInstant, parseMinute, toLocalDate, toLocalMinute } from '../core/time.ts';
import type { Department } from '../scheduler/departments.ts';
import { bookConsultation, freeSlots } from '../scheduler/consultations.ts';
import { listConsultations } from '../scheduler/views.ts';
import { acceptRelay, acceptedBy, declineRelay, happeningNow, requestRelay, waitingQueue } from '../relay/store.ts';
import { getStaff, staffOfDepartment } from '../relay/staff.ts';
import { bookCard } from './cards.ts';
import type { Ctx, Reply } from './context.ts';
import { actorOf, fromProblem, relayDeps, say } from './context.ts';
import { parseDate } from './parse.ts';

/** The consultation /relay means: explicit, or the one this staff member is handling now, or a card to choose. */
export async function consultationFor(ctx: Ctx, explicit: string | null): Promise<{ id: string } | { candidates: Array<{ id: string; label: string }> }> {
  if (explicit) return { id: explicit };
  const today = toLocalDate(ctx.now);
  const buffer = ctx.deps.config.slots.bufferMinutes * MINUTE_MS;
  // Only what is happening now (or about to start): a relay days early would tell the citizen "おつなぎしています".
  const open = (await listConsultations(ctx.deps.store.db, addDays(today, -1), today)).filter(
    (c) =>
      ['meeting_ready', 'invited', 'in_progress'].includes(c.status) &&
      happeningNow({ status: c.status, start: Date.parse(c.start), blockEnd: Date.parse(c.end) + buffer }, ctx.now),
  );
  const mineIds = new Set((await acceptedBy(ctx.deps.store.db, ctx.staff.id)).map((r) => r.consultationId));
  const ranked = [open.filter((c) => mineIds.has(c.id)), open.filter((c) => c.bookedBy.startsWith(`staff:${ctx.staff.id}:`))];
  for (const group of [...ranked, open]) if (group.length === 1) return { id: group[0]!.id };
  return {
    candidates: open.map((c) => ({ id: c.id, label: `#${c.id} ${formatMinute(toLocalMinute(Date.parse(c.start)))} ${c.department.name} ${c.citizen.name}様` })),
  };
}

export async function relayTo(ctx: Ctx, consultationId: string, department: Department, note: string): Promise<Reply> {
  const r = await requestRelay(relayDeps(ctx.deps), {
    consultationId,
    toDepartmentId: department.id,
    fromDepartmentId: ctx.staff.departmentId,
    note,
    requestedBy: ctx.staff.id,
  });
  if (!r.ok) return fromProblem(r.reason);
  const onDuty = (await staffOfDepartment(ctx.deps.store.db, department.id)).filter((s) => s.onDuty).map((s) => s.displayName);
  return say(
    `${department.name}を呼び出しました（相談 #${consultationId}、${r.value.position}番目）。${onDuty.length > 0 ? `当番: ${onDuty.join('、')}。` : ''}応答があればお知らせします。相談者には「${department.name}の担当者におつなぎしています。このままお待ちください。」とお伝えください。`,
    `${department.name} has been alerted (consultation #${consultationId}, position ${r.value.position}). You will be told who is coming.`,
  );
}

/** The oldest relay waiting for the staff member's department, or the reply saying why there is none. */
export async function myWaitingRelay(ctx: Ctx): Promise<{ relayId: string } | { reply: Reply }> {
  if (!ctx.staff.departmentId) return { reply: say('先に所属の課を登録してください。例: /duty on 税務', 'Set your department first, e.g. /duty on tax') };
  const q = await waitingQueue(ctx.deps.store.db, ctx.now, ctx.staff.departmentId);
  return q[0] ? { relayId: q[0].relay.id } : { reply: say('あなたの課への呼び出しはありません。', 'Nothing is waiting for your department.') };
}

export async function declineReply(ctx: Ctx, relayId: string): Promise<Reply> {
  const r = await declineRelay(relayDeps(ctx.deps), relayId, ctx.staff.id);
  if (!r.ok) return fromProblem(r.reason);
  const id = r.value.relay.consultationId;
  return r.value.everyone
    ? say(
        `相談 #${id} は、呼び出した皆さんが対応できないため、依頼した人にほかの課へのおつなぎをお願いします。`,
        'Everyone alerted has declined; the requester will be told.',
      )
    : say(
        `相談 #${id} の呼び出しに「対応できない」と記録しました。ほかの方が応じられるよう、呼び出しはそのままです。`,
        'Your decline is recorded; the others alerted can still accept.',
      );
}

export async function acceptReply(ctx: Ctx, relayId: string): Promise<Reply> {
  const r = await acceptRelay(relayDeps(ctx.deps), relayId, ctx.staff.id);
  if (!r.ok) return fromProblem(r.reason);
  if (r.value.won) {
    return say(
      `相談 #${r.value.relay.consultationId} をお願いします。参加のための情報を個別にお送りしました。`,
      `Thank you. The join details for #${r.value.relay.consultationId} are on their way to you privately.`,
    );
  }
  const by = r.value.relay.acceptedBy ? await getStaff(ctx.deps.store.db, r.value.relay.acceptedBy) : null;
  return say(
    `すでに${by?.displayName ?? 'ほかの方'}さんが対応しています（相談 #${r.value.relay.consultationId}）。`,
    `${by?.displayName ?? 'Someone else'} has already taken #${r.value.relay.consultationId}.`,
  );
}

export interface BookingWords {
  readonly date?: string | undefined;
  readonly time?: string | undefined;
  readonly duration?: string | undefined;
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly department?: string | undefined;
  readonly topic?: string | undefined;
}

/** How far ahead the /book form offers times, and how many (a card's choice list stays short enough to read). */
const FORM_DAYS = 14;
const FORM_SLOTS = 60;

export async function bookForm(ctx: Ctx): Promise<Reply> {
  const today = toLocalDate(ctx.now);
  const slots = await freeSlots(ctx.deps, { from: today, to: addDays(today, FORM_DAYS), durationMinutes: 60 });
  // Each start time once, whichever host is free then.
  const starts = [...new Set((slots.ok ? slots.value : []).map((s) => s.start))].slice(0, FORM_SLOTS);
  const own = ctx.departments.find((d) => d.id === ctx.staff.departmentId)?.name ?? null;
  return say(
    starts.length > 0 ? '予約の内容を入れてください。' : `${FORM_DAYS}日先まで、空いている時間がありません。`,
    starts.length > 0 ? 'Fill in the booking.' : `No free time in the next ${FORM_DAYS} days.`,
    bookCard({
      departments: ctx.departments.map((d) => d.name),
      department: own,
      days: FORM_DAYS,
      slots: starts.map((s) => ({ title: formatJa(Date.parse(s)), value: `${s.slice(0, 10)} ${s.slice(11, 16)}` })),
    }),
  );
}

export async function book(ctx: Ctx, f: BookingWords): Promise<Reply> {
  const example = '/book 12/1 10:00 60 山田太郎 yamada@example.jp 税務';
  const date = f.date ? parseDate(f.date, ctx.now) : null;
  const minute = f.time ? parseMinute(f.time) : null;
  const duration = Number(f.duration);
  if (!date) return say(`日付を読み取れません（「${f.date ?? ''}」）。例: ${example}`, 'Cannot read the date.');
  if (minute === null) return say(`時刻を読み取れません（「${f.time ?? ''}」）。例: ${example}`, 'Cannot read the time.');
  if (!Number.isInteger(duration) || duration < 5 || duration > 600) {
    return say(`相談時間（分）を数字で入れてください（「${f.duration ?? ''}」）。例: ${example}`, 'Give the length in minutes.');
  }
  if (!f.name) return say(`相談者のお名前を入れてください。例: ${example}`, 'Give the citizen name.');
  if (!f.email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(f.email)) {
    return say(`相談者のメールアドレスを入れてください（「${f.email ?? ''}」）。例: ${example}`, 'Give a valid email address.');
  }
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
