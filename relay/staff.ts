// The staff directory: one row per chat account (Webex person, Teams user, or a console trainee), their department
// and whether they are on duty for relays (duty).
import type { Db, StaffTable } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import { isUniqueViolation } from '../core/store/db.ts';
import { enqueue } from '../core/outbox.ts';
import { writeAudit } from '../core/audit.ts';
import { addDays, localInstant, toLocalDate } from '../core/time.ts';
import { DUTY_END } from './job-kinds.ts';
import type { ChatPerson, ChatPlatformKind } from '../core/chat.ts';

export interface Staff extends ChatPerson {
  readonly departmentId: string | null;
  readonly email: string;
  readonly onDuty: boolean;
  /** Where they work (null: not said yet; counted as the main office). */
  readonly siteId: string | null;
}

type Row = Omit<StaffTable, 'created_at' | 'duty_until'>;

const fromRow = (r: Row): Staff => ({
  id: r.id,
  displayName: r.display_name,
  departmentId: r.department_id,
  platform: r.platform as ChatPlatformKind,
  platformUserId: r.platform_user_id,
  email: r.email,
  onDuty: r.on_duty === 1,
  siteId: r.site_id,
});

/**
 * How a staff member is named to a citizen or beside their department's name: "税務課 田中" → "田中" when the chat
 * display name already starts with the department (「税務課の田中がまいります」, not 「税務課の税務課 田中」).
 */
export function nameBeside(
  displayName: string | null | undefined,
  department: { readonly name: string; readonly aliases?: ReadonlyArray<string> } | string | null | undefined,
): string | null {
  if (!displayName) return null;
  const d = typeof department === 'string' ? { name: department, aliases: [] } : department;
  if (!d) return displayName;
  // The full name anywhere at the start ("税務課田中"), an alias only as a word of its own ("税務 田中", not "税所").
  const rest = displayName.startsWith(d.name)
    ? displayName.slice(d.name.length)
    : (d.aliases ?? []).filter((a) => displayName.startsWith(a) && /[\s　・]/.test(displayName[a.length] ?? '')).map((a) => displayName.slice(a.length))[0];
  const trimmed = rest?.replace(/^[\s　・:：]+/, '');
  return trimmed || displayName;
}

export async function getStaff(db: Db, id: string): Promise<Staff | null> {
  const r = await db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : null;
}

/** The staff row for a chat account, made on first contact (name kept up to date). */
export async function staffFor(
  db: Db,
  ids: IdSource,
  now: number,
  who: { platform: ChatPlatformKind; userId: string; displayName: string; email?: string },
): Promise<Staff> {
  const existing = await db.selectFrom('staff').selectAll().where('platform', '=', who.platform).where('platform_user_id', '=', who.userId).executeTakeFirst();
  if (existing) {
    if (existing.display_name !== who.displayName && who.displayName)
      await db.updateTable('staff').set({ display_name: who.displayName }).where('id', '=', existing.id).execute();
    return fromRow({ ...existing, display_name: who.displayName || existing.display_name });
  }
  const row = {
    id: ids.shortId(),
    display_name: who.displayName,
    department_id: null,
    platform: who.platform,
    platform_user_id: who.userId,
    email: who.email ?? '',
    on_duty: 0,
    created_at: new Date(now).toISOString(),
    site_id: null,
  };
  try {
    await db.insertInto('staff').values(row).execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return staffFor(db, ids, now, who);
  }
  return fromRow(row);
}

/** When a duty started now ends by itself: DUTY_ENDS_AT today, or the end of the day when that has passed. */
export function dutyEnds(now: number, endsAtMinute: number): number {
  const today = toLocalDate(now);
  const at = localInstant(today, endsAtMinute);
  return at > now ? at : localInstant(addDays(today, 1), 0);
}

/**
 * On or off duty (and the department, if given). On duty ends by itself (`endsAtMinute`, DUTY_ENDS_AT): the end is
 * kept with the row and a job ends it then, unless the person went off and on again in between.
 */
export async function setDuty(
  db: Db,
  ids: IdSource,
  now: number,
  staffId: string,
  onDuty: boolean,
  o: { readonly departmentId?: string | undefined; readonly endsAtMinute: number },
): Promise<{ readonly until: number | null }> {
  const until = onDuty ? dutyEnds(now, o.endsAtMinute) : null;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff')
      .set({
        on_duty: onDuty ? 1 : 0,
        duty_until: until === null ? null : new Date(until).toISOString(),
        ...(o.departmentId ? { department_id: o.departmentId } : {}),
      })
      .where('id', '=', staffId)
      .execute();
    if (until !== null) await enqueue(trx, ids, now, DUTY_END, null, { staffId, until: new Date(until).toISOString() }, until);
  });
  return { until };
}

/** The duty end job: off duty, if this is still the end that was set. Returns whether it ended a duty. */
export async function endDuty(db: Db, staffId: string, until: string): Promise<boolean> {
  const r = await db.updateTable('staff').set({ on_duty: 0, duty_until: null }).where('id', '=', staffId).where('duty_until', '=', until).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function staffOfDepartment(db: Db, departmentId: string): Promise<Staff[]> {
  return (await db.selectFrom('staff').selectAll().where('department_id', '=', departmentId).orderBy('display_name').execute()).map(fromRow);
}

export async function listStaff(db: Db): Promise<Staff[]> {
  return (await db.selectFrom('staff').selectAll().orderBy('display_name').execute()).map(fromRow);
}

/** Where a staff member works (main office or a branch): a walk-in they start uses a device of that site. */
export async function setStaffSite(db: Db, staffId: string, siteId: string | null): Promise<void> {
  await db.updateTable('staff').set({ site_id: siteId }).where('id', '=', staffId).execute();
}

/**
 * An admin sets where a staff member works and which department's relays reach them, in one transaction with its audit
 * entry. On duty for no department would take no call: clearing the department ends the duty too. Returns null for
 * an unknown staff member, or whether a duty was ended.
 */
export async function assignStaff(
  db: Db,
  ids: IdSource,
  now: number,
  staffId: string,
  to: { readonly departmentId: string | null; readonly siteId: string | null },
  actor: string,
): Promise<{ readonly endedDuty: boolean } | null> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('staff').select(['on_duty', 'department_id', 'site_id']).where('id', '=', staffId).executeTakeFirst();
    if (!before) return null;
    const endedDuty = before.on_duty === 1 && to.departmentId === null;
    await trx
      .updateTable('staff')
      .set({ department_id: to.departmentId, site_id: to.siteId, ...(endedDuty ? { on_duty: 0, duty_until: null } : {}) })
      .where('id', '=', staffId)
      .execute();
    await writeAudit(trx, ids, now, {
      actor,
      action: 'staff.changed',
      entity: 'staff',
      entityId: staffId,
      before: { departmentId: before.department_id, siteId: before.site_id },
      after: { ...to, ...(endedDuty ? { onDuty: false } : {}) },
    });
    return { endedDuty };
  });
}
