// Hosts: the city's dedicated conferencing accounts (and their PCs). Capacity: one consultation at a time.
import type { Db } from './store/schema.ts';
import type { IdSource } from './ids.ts';
import type { ProviderKind } from './conferencing/index.ts';

export interface Host {
  readonly id: string;
  readonly displayName: string;
  readonly provider: ProviderKind;
  readonly account: string;
}

export async function listHosts(db: Db): Promise<Host[]> {
  const rows = await db.selectFrom('hosts').selectAll().where('retired_at', 'is', null).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, provider: r.provider as ProviderKind, account: r.account }));
}

/** A first start gets one dry-run host, so booking works before any account is configured. */
export async function seedDefaultHost(db: Db, ids: IdSource, now: number, displayName: string): Promise<void> {
  const existing = await db.selectFrom('hosts').select('id').limit(1).execute();
  if (existing.length > 0) return;
  await db
    .insertInto('hosts')
    .values({ id: ids.shortId(), display_name: displayName, provider: 'dryrun', account: 'dryrun', created_at: new Date(now).toISOString(), retired_at: null })
    .execute();
}

export async function addHost(db: Db, ids: IdSource, now: number, input: { displayName: string; provider: ProviderKind; account: string }): Promise<Host> {
  const id = ids.shortId();
  await db.insertInto('hosts').values({ id, display_name: input.displayName, provider: input.provider, account: input.account, created_at: new Date(now).toISOString(), retired_at: null }).execute();
  return { id, ...input };
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
  const r = await db.updateTable('hosts').set({ retired_at: new Date(now).toISOString() }).where('id', '=', hostId).where('retired_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
