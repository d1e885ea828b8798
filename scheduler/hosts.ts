// Hosts: the city's dedicated conferencing accounts (and their PCs). Capacity: one consultation at a time.
import type { Db } from '../core/store/schema.ts';
import { referenceData } from '../core/store/reference.ts';
import type { IdSource } from '../core/ids.ts';
import type { ProviderKind } from '../core/conferencing/index.ts';
import type { Config } from '../core/config.ts';
import { getSite, mainSite, setHostSite } from './sites.ts';
import { writeAudit } from '../core/audit.ts';
import type { Result } from '../core/errors.ts';
import { fail, fieldProblem, ok, problem } from '../core/errors.ts';

export interface Host {
  readonly id: string;
  readonly displayName: string;
  readonly provider: ProviderKind;
  readonly account: string;
  /** The site (main office or branch) where this device is. */
  readonly siteId: string;
}

/** One account, however it is written: Webex addresses and Teams user ids do not depend on case. */
export const normalAccount = (account: string) => account.trim().toLowerCase();

export function listHosts(db: Db): Promise<Host[]> {
  return referenceData(db, 'hosts', readHosts);
}

async function readHosts(db: Db): Promise<Host[]> {
  const rows = await db.selectFrom('hosts').selectAll().where('retired_at', 'is', null).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, provider: r.provider as ProviderKind, account: r.account, siteId: r.site_id ?? 'main' }));
}

export interface HostChanges {
  readonly added: Host[];
  readonly retired: Host[];
  /** Dry-run hosts kept because consultations are still booked on them. */
  readonly keptDryRun: Host[];
}

/**
 * Makes the hosts match the configuration: the configured Webex / Teams host accounts exist; once a real provider is
 * configured, dry-run hosts with nothing booked ahead are retired (so no booking lands on them); with no provider
 * configured, a first start gets one dry-run host so that booking works at once.
 */
export async function ensureConfiguredHosts(db: Db, ids: IdSource, now: number, config: Config): Promise<HostChanges> {
  const wanted: Array<{ provider: ProviderKind; account: string; label: string }> = [];
  if (config.webex) wanted.push({ provider: 'webex', account: config.webex.hostEmail, label: 'Webex' });
  if (config.teams) wanted.push({ provider: 'teams', account: config.teams.hostUserId, label: 'Teams' });
  const hosts = await listHosts(db);
  const added: Host[] = [];
  const retired: Host[] = [];
  const keptDryRun: Host[] = [];
  if (wanted.length === 0) {
    if (hosts.length === 0) {
      const host = await addHostOnce(db, ids, now, { displayName: config.defaultHostName, provider: 'dryrun', account: 'dryrun' });
      if (host) added.push(host);
    }
    return { added, retired, keptDryRun };
  }
  for (const w of wanted) {
    if (!hosts.some((h) => h.provider === w.provider && h.account === normalAccount(w.account))) {
      const name = wanted.length > 1 ? `${config.defaultHostName}（${w.label}）` : config.defaultHostName;
      const host = await addHostOnce(db, ids, now, { displayName: name, provider: w.provider, account: w.account });
      if (host) added.push(host);
    }
  }
  for (const h of hosts.filter((x) => x.provider === 'dryrun')) {
    if ((await upcomingOnHost(db, h.id, now)).length > 0) keptDryRun.push(h);
    else if (await retireHost(db, h.id, now)) retired.push(h);
  }
  return { added, retired, keptDryRun };
}

export interface HostInput {
  readonly displayName: string;
  readonly provider: ProviderKind;
  readonly account: string;
  /** Default: the main office. */
  readonly siteId?: string | undefined;
}

/**
 * Adds a host unless the account already has a live row (the database allows one per provider and account, so
 * instances starting together cannot add it twice). Returns null when it was there already.
 */
export async function addHostOnce(db: Db, ids: IdSource, now: number, input: HostInput): Promise<Host | null> {
  const id = ids.shortId();
  const siteId = input.siteId ?? (await mainSite(db)).id;
  const r = await db
    .insertInto('hosts')
    .values({
      id,
      display_name: input.displayName,
      provider: input.provider,
      account: normalAccount(input.account),
      created_at: new Date(now).toISOString(),
      retired_at: null,
      site_id: siteId,
    })
    .onConflict((oc) => oc.columns(['provider', 'account']).where('retired_at', 'is', null).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0
    ? { id, displayName: input.displayName, provider: input.provider, account: normalAccount(input.account), siteId }
    : null;
}

/** The live host of an account, if any. */
export async function hostOfAccount(db: Db, provider: ProviderKind, account: string): Promise<Host | null> {
  return (await listHosts(db)).find((h) => h.provider === provider && h.account === normalAccount(account)) ?? null;
}

/** Open consultations still booked on a host from `now` on (a host with any cannot be retired). */
export async function upcomingOnHost(db: Db, hostId: string, now: number): Promise<Array<{ id: string; start_at: string }>> {
  return db
    .selectFrom('consultations')
    .select(['id', 'start_at'])
    .where('host_id', '=', hostId)
    .where('status', 'not in', ['cancelled', 'completed'])
    .where('end_at', '>', new Date(now).toISOString())
    .orderBy('start_at')
    .execute();
}

export async function retireHost(db: Db, hostId: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('hosts')
    .set({ retired_at: new Date(now).toISOString() })
    .where('id', '=', hostId)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// ---------------------------------------------------------------- changes people make (API and admin page), audited

const hostNotFound = (id: string) => problem('not_found', `ホスト ${id} は見つかりません。`, `Host ${id} was not found.`);

/** A new host account, at a site (default the main office); a second row for the same account is refused. */
export async function addHost(db: Db, ids: IdSource, now: number, input: HostInput, actor: string): Promise<Result<Host>> {
  if (input.siteId && !(await getSite(db, input.siteId)))
    return fail(fieldProblem('siteId', `拠点 ${input.siteId} は登録されていません。`, `Unknown site ${input.siteId}.`));
  const host = await addHostOnce(db, ids, now, input);
  if (!host) {
    const existing = await hostOfAccount(db, input.provider, input.account);
    return fail(
      problem(
        'conflict',
        `このアカウント（${input.provider}: ${input.account}）はすでにホスト「${existing?.displayName ?? ''}」として登録されています。`,
        `That account is already registered as host "${existing?.displayName ?? ''}" (${existing?.id ?? ''}).`,
        { extra: { hostId: existing?.id ?? null } },
      ),
    );
  }
  await writeAudit(db, ids, now, { actor, action: 'host.added', entity: 'host', entityId: host.id, before: null, after: host });
  return ok(host);
}

/** Renames a host, or moves the device to another site. */
export async function changeHost(
  db: Db,
  ids: IdSource,
  now: number,
  id: string,
  patch: { readonly displayName?: string | undefined; readonly siteId?: string | undefined },
  actor: string,
): Promise<Result<Host>> {
  const before = (await listHosts(db)).find((h) => h.id === id);
  if (!before) return fail(hostNotFound(id));
  if (patch.siteId !== undefined) {
    const moved = await setHostSite(db, id, patch.siteId);
    if (!moved.ok) return moved;
  }
  if (patch.displayName !== undefined) await db.updateTable('hosts').set({ display_name: patch.displayName }).where('id', '=', id).execute();
  const after = (await listHosts(db)).find((h) => h.id === id)!;
  await writeAudit(db, ids, now, { actor, action: 'host.changed', entity: 'host', entityId: id, before, after });
  return ok(after);
}

/** Retires a host; refused while consultations are still booked on it (they are named). */
export async function retireHostChecked(db: Db, ids: IdSource, now: number, id: string, actor: string): Promise<Result<null>> {
  const upcoming = await upcomingOnHost(db, id, now);
  if (upcoming.length > 0) {
    return fail(
      problem(
        'invalid_state',
        `このホストにはこれからの相談が${upcoming.length}件あります。先に別のホストへ移すか取り消してください。`,
        `This host still has ${upcoming.length} upcoming consultation(s); move or cancel them first.`,
        { extra: { consultations: upcoming.map((c) => c.id) } },
      ),
    );
  }
  if (!(await retireHost(db, id, now))) return fail(hostNotFound(id));
  await writeAudit(db, ids, now, {
    actor,
    action: 'host.retired',
    entity: 'host',
    entityId: id,
    before: null,
    after: { retiredAt: new Date(now).toISOString() },
  });
  return ok(null);
}
