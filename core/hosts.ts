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
