// The consultation domain's job kinds that its own modules queue (bookings, changes, walk-ins), declared apart from
// their work (jobs.ts), which itself uses those modules.
import { z } from 'zod';
import type { Store } from '../core/store/db.ts';
import type { IdSource } from '../core/ids.ts';
import { enqueueAll, jobKind, planned } from '../core/outbox.ts';
import type { PlannedJob } from '../core/outbox.ts';

const none = z.object({});

/** Make, move or delete the consultation's meeting at its host's provider, as the consultation is now. */
export const MEETING_SYNC = jobKind('meeting.sync', none, { coalesce: true });
/** Tell the citizen the time changed (naming the time they were last told). */
export const MAIL_CHANGE = jobKind('mail.change', z.object({ previous: z.object({ start: z.string(), end: z.string() }) }));
/** Remind the citizen (of the time as it was at `version`). */
export const MAIL_REMINDER = jobKind('mail.reminder', z.object({ version: z.number().int() }));
/** Tell the citizen the consultation is off. */
export const MAIL_CANCELLATION = jobKind('mail.cancellation', none);
/** Ask the citizen for the survey, a little after the consultation (unless they answered it in the app). */
export const MAIL_SURVEY = jobKind('mail.survey', none);
/** How long after the end the survey mail waits: time to answer in the app first. */
export const SURVEY_MAIL_AFTER_MS = 15 * 60_000;
/** The start or the end of a consultation at the time it had then. */
export const CONSULTATION_CLOCK = jobKind('consultation.clock', z.object({ scheduleVersion: z.number().int(), moment: z.enum(['start', 'end']) }));

/** The start and the end of a consultation at its current time, to add with the change that sets it. */
export function momentJobs(now: number, c: { id: string; start: number; blockEnd: number; scheduleVersion: number }): PlannedJob[] {
  return [
    planned(CONSULTATION_CLOCK, c.id, { scheduleVersion: c.scheduleVersion, moment: 'start' }, Math.max(now, c.start)),
    planned(CONSULTATION_CLOCK, c.id, { scheduleVersion: c.scheduleVersion, moment: 'end' }, Math.max(now, c.blockEnd)),
  ];
}

/** Plans the start and the end of a consultation at its current time (booking, and every move). */
export async function planMoments(
  db: Store['db'],
  ids: IdSource,
  now: number,
  c: { id: string; start: number; blockEnd: number; scheduleVersion: number },
): Promise<void> {
  await enqueueAll(db, ids, now, momentJobs(now, c));
}
