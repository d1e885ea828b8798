// A closure added over booked consultations: which consultations it falls on, and what the admin chose to do with
// them: move each to the next free time, cancel them, or keep them. The citizens are told by the usual change and
// cancellation mails; nothing is decided silently.
import type { Bilingual, Result } from '../core/errors.ts';
import { fail, ok, problem } from '../core/errors.ts';
import { writeAudit } from '../core/audit.ts';
import { formatJa } from '../core/time.ts';
import type { CalendarException } from './calendar/calendar.ts';
import { explainOutsideHours } from './calendar/slots.ts';
import { CalendarExceptionBody, addCalendarException, loadCityCalendar } from './calendar-store.ts';
import { z } from 'zod';
import type { SchedulerDeps } from './consultations.ts';
import { cancelConsultation, nextFreeTime, rescheduleConsultation } from './consultations.ts';
import { canReschedule } from './status.ts';
import type { ConsultationView } from './views.ts';
import { listConsultations } from './views.ts';

export const CLOSURE_DECISIONS = ['move', 'cancel', 'keep'] as const;
export type ClosureDecision = (typeof CLOSURE_DECISIONS)[number];

/** A closure or special opening, with what to do with the consultations a closure falls on. */
export const ClosureBody = CalendarExceptionBody.extend({
  consultations: z.enum(CLOSURE_DECISIONS).optional().meta({
    description:
      'When a closure falls on booked consultations: move (each to the next free time), cancel, or keep them; the citizens are told of a move or a cancellation. Without it, such a closure is refused (409) with the consultations listed.',
  }),
});

export interface ClosureOutcome {
  readonly id: string;
  readonly outcome: 'moved' | 'cancelled' | 'kept' | 'not_moved';
  /** The consultation's time before, and (moved) after. */
  readonly start: string;
  readonly movedTo?: string;
  readonly reason?: Bilingual;
}

/** Consultations still to come that the closure would fall on (inside the hours before it, outside them with it). */
export async function consultationsOnClosure(deps: SchedulerDeps, e: Omit<CalendarException, 'id'>): Promise<ConsultationView[]> {
  if (e.kind !== 'closed') return [];
  const now = deps.clock();
  const without = await loadCityCalendar(deps.store.db, deps.config.calendar);
  const withIt = { ...without, exceptions: [...without.exceptions, { id: 'new', ...e }] };
  return (await listConsultations(deps.store.db, e.startDate, e.endDate)).filter((c) => {
    const start = Date.parse(c.start);
    const end = Date.parse(c.end);
    return canReschedule(c.status) && start > now && explainOutsideHours(withIt, start, end) !== null && explainOutsideHours(without, start, end) === null;
  });
}

/** The short line an admin reads for a consultation the closure falls on (no citizen's name). */
export const affectedLine = (c: ConsultationView) => `#${c.id} ${formatJa(Date.parse(c.start))} ${c.department.name}`;

/**
 * Adds a closure. When it falls on booked consultations, nothing is saved until the admin says what to do with them
 * (409 naming them); then each is moved, cancelled or kept, and the closure is saved first so nothing new is booked there.
 */
export async function addClosure(
  deps: SchedulerDeps,
  actor: string,
  e: Omit<CalendarException, 'id'>,
  decision: ClosureDecision | undefined,
): Promise<Result<{ exception: CalendarException & { readonly id: string }; outcomes: ClosureOutcome[] }>> {
  const affected = await consultationsOnClosure(deps, e);
  if (affected.length > 0 && !decision) {
    return fail(
      problem(
        'conflict',
        `この閉庁の日時に予約済みの相談が${affected.length}件あります（${affected.map(affectedLine).join('、')}）。次の空いている時間へ移すか（move）、取り消すか（cancel。どちらも市民にメールでお知らせします）、そのまま行うか（keep）を consultations で指定してください。`,
        `This closure falls on ${affected.length} booked consultation(s): ${affected.map((c) => `#${c.id} ${c.start}`).join(', ')}. Say what to do with them in "consultations": move (to the next free time), cancel (the citizens are told either way) or keep.`,
        { extra: { consultations: affected.map((c) => ({ id: c.id, start: c.start, end: c.end, department: c.department.name, status: c.status })) } },
      ),
    );
  }
  const now = deps.clock();
  const exception = await addCalendarException(deps.store.db, deps.ids, now, actor, e);
  const why = e.note ? `臨時閉庁（${e.note}）のため` : '臨時閉庁のため';
  const outcomes: ClosureOutcome[] = [];
  for (const c of affected) {
    if (decision === 'keep') {
      outcomes.push({ id: c.id, outcome: 'kept', start: c.start });
    } else if (decision === 'cancel') {
      const done = await cancelConsultation(deps, c.id, why, actor);
      outcomes.push(done.ok ? { id: c.id, outcome: 'cancelled', start: c.start } : { id: c.id, outcome: 'kept', start: c.start, reason: done.reason.message });
    } else {
      const slot = await nextFreeTime(deps, c);
      const moved = slot ? await rescheduleConsultation(deps, c.id, { start: Date.parse(slot.start), hostId: slot.hostId }, actor) : null;
      outcomes.push(
        moved?.ok
          ? { id: c.id, outcome: 'moved', start: c.start, movedTo: moved.value.start }
          : {
              id: c.id,
              outcome: 'not_moved',
              start: c.start,
              reason: moved
                ? moved.reason.message
                : { ja: '予約できる期間に同じ長さの空きがありません', en: 'no free time of the same length within the booking horizon' },
            },
      );
    }
  }
  if (affected.length > 0) {
    await writeAudit(deps.store.db, deps.ids, deps.clock(), {
      actor,
      action: 'calendar_exception.consultations',
      entity: 'calendar_exception',
      entityId: exception.id,
      before: null,
      after: { decision, outcomes },
    });
  }
  return ok({ exception, outcomes });
}

/** What happened, in a sentence for the admin (Japanese, English). */
export function describeOutcomes(outcomes: ReadonlyArray<ClosureOutcome>): Bilingual {
  const of = (kind: ClosureOutcome['outcome']) => outcomes.filter((o) => o.outcome === kind);
  const ja: string[] = [];
  const en: string[] = [];
  const moved = of('moved');
  if (moved.length) {
    ja.push(
      `${moved.length}件を移しました（${moved.map((o) => `#${o.id} → ${formatJa(Date.parse(o.movedTo!))}`).join('、')}）。市民に日時の変更をお知らせします。`,
    );
    en.push(`Moved ${moved.length} (${moved.map((o) => `#${o.id} → ${o.movedTo}`).join(', ')}); the citizens are told.`);
  }
  const cancelled = of('cancelled');
  if (cancelled.length) {
    ja.push(`${cancelled.length}件を取り消しました（${cancelled.map((o) => `#${o.id}`).join('、')}）。市民にお知らせします。`);
    en.push(`Cancelled ${cancelled.length} (${cancelled.map((o) => `#${o.id}`).join(', ')}); the citizens are told.`);
  }
  const kept = of('kept');
  if (kept.length) {
    ja.push(`${kept.length}件はそのまま行います（${kept.map((o) => `#${o.id}`).join('、')}）。`);
    en.push(`Kept ${kept.length} (${kept.map((o) => `#${o.id}`).join(', ')}).`);
  }
  const stuck = of('not_moved');
  if (stuck.length) {
    ja.push(
      `${stuck.length}件は移せませんでした（${stuck.map((o) => `#${o.id}: ${o.reason?.ja ?? ''}`).join('、')}）。日時を相談して移すか、取り消してください。`,
    );
    en.push(`Could not move ${stuck.length} (${stuck.map((o) => `#${o.id}: ${o.reason?.en ?? ''}`).join('; ')}): move or cancel them by hand.`);
  }
  return { ja: ja.join(''), en: en.join(' ') };
}
