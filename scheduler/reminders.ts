// When reminders go out for a consultation (reminderTimes is pure), and queueing them with the change that causes them.
import type { Config, ReminderRule } from '../core/config.ts';
import type { Db } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import { enqueueAll, planned } from '../core/outbox.ts';
import type { PlannedJob } from '../core/outbox.ts';
import { MAIL_REMINDER } from './job-kinds.ts';
import { MINUTE_MS, addDays, localInstant, toLocalDate } from '../core/time.ts';

/** Reminder instants for a consultation starting at `start`, only those still ahead of `now`, in time order, no duplicates. */
export function reminderTimes(rules: ReadonlyArray<ReminderRule>, start: number, now: number): number[] {
  const times = rules.map((r) => (r.kind === 'before' ? start - r.minutes * MINUTE_MS : localInstant(addDays(toLocalDate(start), -r.days), r.minute)));
  return [...new Set(times.filter((t) => t > now && t < start))].sort((a, b) => a - b);
}

/** The reminders for a consultation's schedule version, to add with the change that causes them. */
export function reminderJobs(config: Pick<Config, 'mail'>, consultationId: string, version: number, start: number, now: number): PlannedJob[] {
  return reminderTimes(config.mail.reminders, start, now).map((at) => planned(MAIL_REMINDER, consultationId, { version }, at));
}

/** Queues the reminders for a consultation's schedule version (in the caller's transaction). */
export async function enqueueReminders(
  db: Db,
  ids: IdSource,
  now: number,
  config: Pick<Config, 'mail'>,
  consultationId: string,
  version: number,
  start: number,
): Promise<void> {
  await enqueueAll(db, ids, now, reminderJobs(config, consultationId, version, start, now));
}
