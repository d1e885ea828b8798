// Walk-ins (来庁者): a citizen at a branch counter is connected now. The consultation starts at once on a device of the
// branch, with no notice, no slot grid and no email; it holds its device for WALK_IN_MINUTES and is extended while it
// goes on (it has no time limit). Its meeting is made long (WALK_IN_MEETING_HOURS) so the platform never cuts it. The
// relay domain starts it together with the call to the department (relay/walk-in.ts), in one transaction.
import type { ConsultationTable, Db } from '../core/store/schema.ts';
import type { Bilingual } from '../core/errors.ts';
import { lockUntilCommit } from '../core/store/db.ts';
import { enqueue } from '../core/outbox.ts';
import { MINUTE_MS, formatMinute, toLocalDate, toLocalMinute } from '../core/time.ts';
import type { Host } from './hosts.ts';
import { listHosts } from './hosts.ts';
import type { CityCalendar } from './calendar/calendar.ts';
import { describeRanges, planDay } from './calendar/calendar.ts';
import { explainOutsideHours } from './calendar/slots.ts';
import type { LifecycleDeps } from './lifecycle.ts';
import { LONGEST_BLOCK_MS, createConsultation, newConsultationRow } from './lifecycle.ts';
import { toViews } from './views.ts';
import { MEETING_SYNC, planMoments } from './job-kinds.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** Why the counter is closed now (a walk-in then needs staff to confirm), or null while it is open. */
export function counterClosedNow(calendar: CityCalendar, now: number): Bilingual | null {
  if (!explainOutsideHours(calendar, now, now + MINUTE_MS)) return null;
  const date = toLocalDate(now);
  const plan = planDay(calendar, date);
  const at = formatMinute(toLocalMinute(now));
  if (plan.closedBecause) return { ja: `今日は${plan.closedBecause.ja}`, en: `today is ${plan.closedBecause.en}` };
  return {
    ja: `いまは ${at}、今日の受付時間は ${describeRanges(plan.open)} です`,
    en: `it is ${at}; today the counter is open ${describeRanges(plan.open)}`,
  };
}

export interface DeviceState {
  readonly host: Host;
  /** What holds the device now or within the buffer (null: free). */
  readonly busyWith: { readonly id: string; readonly kind: string; readonly start: number; readonly end: number } | null;
}

/** A site's devices in the order people number them (窓口1, 窓口2, … by their names). */
export async function devicesAt(db: Db, siteId: string): Promise<Host[]> {
  return (await listHosts(db))
    .filter((h) => h.siteId === siteId)
    .sort((a, b) => a.displayName.localeCompare(b.displayName, 'ja', { numeric: true }) || a.id.localeCompare(b.id));
}

/** The devices of a site and whether each could take a walk-in now (nothing running, nothing starting within its first block). */
export async function devicesOfSite(db: Db, siteId: string, now: number, holdMinutes: number, bufferMinutes: number): Promise<DeviceState[]> {
  const hosts = await devicesAt(db, siteId);
  if (hosts.length === 0) return [];
  const until = now + (holdMinutes + bufferMinutes) * MINUTE_MS;
  const rows = await db
    .selectFrom('consultations')
    .select(['id', 'host_id', 'kind', 'start_at', 'end_at'])
    .where(
      'host_id',
      'in',
      hosts.map((h) => h.id),
    )
    .where('status', 'not in', ['cancelled', 'completed'])
    .where('start_at', '>', iso(now - LONGEST_BLOCK_MS))
    .where('start_at', '<', iso(until))
    .where('block_end_at', '>', iso(now))
    .orderBy('start_at')
    .execute();
  return hosts.map((host) => {
    const r = rows.find((x) => x.host_id === host.id);
    return { host, busyWith: r ? { id: r.id, kind: r.kind, start: Date.parse(r.start_at), end: Date.parse(r.end_at) } : null };
  });
}

/** "使用中（#ID 14:00まで）" / "14:00から予約 #ID": what a busy device is doing, for the people choosing another. */
export function describeBusy(d: DeviceState, now: number): Bilingual {
  const b = d.busyWith;
  if (!b) return { ja: '空き', en: 'free' };
  if (b.start <= now) {
    return b.kind === 'walk_in'
      ? { ja: `来庁者の相談中（#${b.id}）`, en: `walk-in #${b.id} in progress` }
      : { ja: `相談中（#${b.id} ${formatMinute(toLocalMinute(b.end))}まで）`, en: `consultation #${b.id} until ${formatMinute(toLocalMinute(b.end))}` };
  }
  return { ja: `${formatMinute(toLocalMinute(b.start))}から予約（#${b.id}）`, en: `booked from ${formatMinute(toLocalMinute(b.start))} (#${b.id})` };
}

export interface WalkInRow {
  readonly host: Host;
  readonly departmentId: string;
  readonly topic: string;
  /** An optional name or reception number: the citizen gives no email. */
  readonly reception: string;
  readonly actor: string;
}

/**
 * Writes the walk-in in `trx` (its host's turn taken first, like a booking): starts now, booked, no email, with its
 * meeting and its moments queued. The database refuses it when the device is taken (isOverlapViolation).
 */
export async function createWalkIn(
  trx: Db,
  deps: LifecycleDeps & { readonly config: { readonly slots: { readonly bufferMinutes: number }; readonly walkIn: { readonly minutes: number } } },
  w: WalkInRow,
  now: number,
): Promise<ConsultationTable> {
  await lockUntilCommit(trx, `host:${w.host.id}`);
  const end = now + deps.config.walkIn.minutes * MINUTE_MS;
  const blockEnd = end + deps.config.slots.bufferMinutes * MINUTE_MS;
  const row = newConsultationRow(
    {
      id: deps.ids.shortId(),
      host_id: w.host.id,
      start_at: iso(now),
      end_at: iso(end),
      block_end_at: iso(blockEnd),
      department_id: w.departmentId,
      citizen_name: w.reception,
      citizen_email: '',
      topic: w.topic,
      consultation_type: 'general',
      citizen_locale: 'ja',
      booked_by: w.actor,
      kind: 'walk_in',
      site_id: w.host.siteId,
    },
    now,
  );
  const [view] = await toViews(trx, [row]);
  await createConsultation(trx, deps, row, w.actor, now, view);
  await enqueue(trx, deps.ids, now, MEETING_SYNC, row.id, {});
  await planMoments(trx, deps.ids, now, { id: row.id, start: now, blockEnd, scheduleVersion: 1 });
  return row;
}

/** The open walk-ins a staff member started (the branch's /done ends the newest). */
export async function openWalkInsBy(db: Db, staffId: string): Promise<Array<{ id: string; start_at: string }>> {
  return db
    .selectFrom('consultations')
    .select(['id', 'start_at'])
    .where('kind', '=', 'walk_in')
    .where('booked_by', 'like', `staff:${staffId}:%`)
    .where('status', 'not in', ['cancelled', 'completed'])
    .orderBy('start_at', 'desc')
    .execute();
}

/** The open walk-in on a device, if any (the counter page shows it). */
export async function openWalkInOnHost(db: Db, hostId: string): Promise<string | null> {
  const r = await db
    .selectFrom('consultations')
    .select('id')
    .where('kind', '=', 'walk_in')
    .where('host_id', '=', hostId)
    .where('status', 'not in', ['cancelled', 'completed'])
    .orderBy('start_at', 'desc')
    .executeTakeFirst();
  return r?.id ?? null;
}
