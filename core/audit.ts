// The audit log: who changed what, when, before → after. Written in the same transaction as the change.
import type { Db } from './store/schema.ts';
import type { IdSource } from './ids.ts';

export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  readonly before: unknown;
  readonly after: unknown;
}

export async function writeAudit(db: Db, ids: IdSource, now: number, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: ids.sortableId(now),
      at: new Date(now).toISOString(),
      actor: entry.actor,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      before_json: entry.before === null ? null : JSON.stringify(entry.before),
      after_json: entry.after === null ? null : JSON.stringify(entry.after),
    })
    .execute();
}

export interface AuditRecord {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly before: unknown;
  readonly after: unknown;
}

export async function readAudit(db: Db, entity: string, entityId: string): Promise<AuditRecord[]> {
  const rows = await db.selectFrom('audit_log').selectAll().where('entity', '=', entity).where('entity_id', '=', entityId).orderBy('id').execute();
  return rows.map((r) => ({
    at: r.at,
    actor: r.actor,
    action: r.action,
    before: r.before_json === null ? null : JSON.parse(r.before_json),
    after: r.after_json === null ? null : JSON.parse(r.after_json),
  }));
}

/** The first admin token's name as earlier versions stored it (shown as 初期管理者). */
const LEGACY_BOOTSTRAP_NAME = 'bootstrap admin';

/** Who did it, as a person reads it: the name at the end of an actor ('admin:token:AB12:税務課 田中' → '税務課 田中'). */
export function actorName(actor: string): string {
  const name = actor.split(':').at(-1) || actor;
  return name === LEGACY_BOOTSTRAP_NAME ? '初期管理者' : name;
}
