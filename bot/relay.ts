// The relay (リレー): hand a consultation over to another department. requested → accepted (first accept wins) → done;
// or declined / cancelled. The state lives in the store, so it survives a restart and works across instances.
import type { Db, RelayTable } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import { isUniqueViolation } from '../core/store/db.ts';
import type { Result } from '../core/errors.ts';
import { fail, ok, problem } from '../core/errors.ts';
import { writeAudit } from '../core/audit.ts';
import { enqueue } from '../core/outbox.ts';
import { MINUTE_MS } from '../core/time.ts';
import type { AppEvents } from '../core/events.ts';

export type RelayStatus = 'requested' | 'accepted' | 'done' | 'declined' | 'cancelled';

export interface Relay {
  readonly id: string;
  readonly consultationId: string;
  readonly fromDepartmentId: string | null;
  readonly toDepartmentId: string;
  readonly note: string;
  readonly requestedBy: string;
  readonly status: RelayStatus;
  readonly acceptedBy: string | null;
  readonly declinedBy: string | null;
  readonly requestedAt: number;
  readonly acceptedAt: number | null;
  readonly finishedAt: number | null;
  readonly escalatedAt: number | null;
}

export interface RelayDeps {
  readonly db: Db;
  readonly ids: IdSource;
  readonly clock: () => number;
  /** Minutes without an accept before the alert is repeated louder (default 3). */
  readonly escalationMinutes: number;
  /** Tells the in-meeting app (the citizen's status, the staff view) after each change. */
  readonly events?: AppEvents;
}

/** The relay's dependencies from what the server, the bot and the worker have at hand. */
export const relayDepsOf = (d: {
  readonly db: Db;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly config: { readonly relay: { readonly escalationMinutes: number } };
  readonly events?: AppEvents | undefined;
}): RelayDeps => ({
  db: d.db,
  ids: d.ids,
  clock: d.clock,
  escalationMinutes: d.config.relay.escalationMinutes,
  ...(d.events ? { events: d.events } : {}),
});

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (v: string | null) => (v === null ? null : Date.parse(v));

function fromRow(r: RelayTable): Relay {
  return {
    id: r.id,
    consultationId: r.consultation_id,
    fromDepartmentId: r.from_department_id,
    toDepartmentId: r.to_department_id,
    note: r.note,
    requestedBy: r.requested_by,
    status: r.status as RelayStatus,
    acceptedBy: r.accepted_by,
    declinedBy: r.declined_by,
    requestedAt: Date.parse(r.requested_at),
    acceptedAt: ms(r.accepted_at),
    finishedAt: ms(r.finished_at),
    escalatedAt: ms(r.escalated_at),
  };
}

export async function getRelay(db: Db, id: string): Promise<Relay | null> {
  const r = await db.selectFrom('relays').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : null;
}

/** The consultation's relay that is still open (requested or accepted), if any. */
export async function openRelayOf(db: Db, consultationId: string): Promise<Relay | null> {
  const r = await db
    .selectFrom('relays')
    .selectAll()
    .where('consultation_id', '=', consultationId)
    .where('status', 'in', ['requested', 'accepted'])
    .executeTakeFirst();
  return r ? fromRow(r) : null;
}

export interface QueueEntry {
  readonly relay: Relay;
  /** 1 = next to be taken in its department. */
  readonly position: number;
  readonly waitingMinutes: number;
}

/** Relays waiting for an accept, per department in the order they were asked for. */
export async function waitingQueue(db: Db, now: number, departmentId?: string): Promise<QueueEntry[]> {
  let q = db.selectFrom('relays').selectAll().where('status', '=', 'requested').orderBy('requested_at').orderBy('id');
  if (departmentId) q = q.where('to_department_id', '=', departmentId);
  const rows = (await q.execute()).map(fromRow);
  const seen = new Map<string, number>();
  return rows.map((relay) => {
    const position = (seen.get(relay.toDepartmentId) ?? 0) + 1;
    seen.set(relay.toDepartmentId, position);
    return { relay, position, waitingMinutes: Math.floor((now - relay.requestedAt) / MINUTE_MS) };
  });
}

export interface RelayRequest {
  readonly consultationId: string;
  readonly toDepartmentId: string;
  readonly fromDepartmentId: string | null;
  readonly note: string;
  readonly requestedBy: string;
}

/** Asks a department to take the consultation over; the escalation is scheduled in the same transaction. */
export async function requestRelay(deps: RelayDeps, req: RelayRequest): Promise<Result<QueueEntry>> {
  const { db } = deps;
  const c = await db.selectFrom('consultations').select(['id', 'status']).where('id', '=', req.consultationId).executeTakeFirst();
  if (!c) return fail(problem('not_found', `相談 ${req.consultationId} は見つかりません。`, `Consultation ${req.consultationId} was not found.`));
  if (c.status === 'cancelled' || c.status === 'completed') {
    return fail(
      problem(
        'invalid_state',
        `相談 ${c.id} は${c.status === 'cancelled' ? '取り消し済み' : '完了済み'}のため、おつなぎできません。`,
        `Consultation ${c.id} is ${c.status}; it cannot be relayed.`,
      ),
    );
  }
  if (req.fromDepartmentId === req.toDepartmentId) return fail(problem('validation', '同じ課にはおつなぎできません。', 'That is the same department.'));
  const now = deps.clock();
  const id = deps.ids.shortId();
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('relays')
        .values({
          id,
          consultation_id: req.consultationId,
          from_department_id: req.fromDepartmentId,
          to_department_id: req.toDepartmentId,
          note: req.note,
          requested_by: req.requestedBy,
          status: 'requested',
          accepted_by: null,
          declined_by: null,
          requested_at: iso(now),
          accepted_at: null,
          finished_at: null,
          escalated_at: null,
        })
        .execute();
      await writeAudit(trx, deps.ids, now, {
        actor: req.requestedBy,
        action: 'relay.requested',
        entity: 'consultation',
        entityId: req.consultationId,
        before: null,
        after: { relayId: id, to: req.toDepartmentId, note: req.note },
      });
      await enqueue(trx, deps.ids, now, 'relay.escalate', req.consultationId, { relayId: id }, now + deps.escalationMinutes * MINUTE_MS);
      await enqueue(trx, deps.ids, now, 'relay.notify', req.consultationId, { relayId: id, event: 'requested' });
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const open = await openRelayOf(db, req.consultationId);
    return fail(
      problem(
        'conflict',
        `この相談は、すでにほかの課へおつなぎ中です（${open?.status === 'accepted' ? '対応中' : '応答待ち'}）。先に /done で終えてください。`,
        'This consultation already has an open relay; finish it with /done first.',
        { extra: { relayId: open?.id } },
      ),
    );
  }
  await deps.events?.changed(req.consultationId);
  // Taken (or cancelled) already in the moment since: then it is first, and waiting no more.
  const entry = (await waitingQueue(db, now, req.toDepartmentId)).find((e) => e.relay.id === id) ?? {
    relay: (await getRelay(db, id))!,
    position: 1,
    waitingMinutes: 0,
  };
  return ok(entry);
}

export type AcceptOutcome = { readonly relay: Relay; readonly won: true } | { readonly relay: Relay; readonly won: false };

/** The first accept wins (a conditional update in the store); a later one learns who took it. */
export async function acceptRelay(deps: RelayDeps, relayId: string, staffId: string): Promise<Result<AcceptOutcome>> {
  const now = deps.clock();
  const open = await deps.db
    .selectFrom('relays as r')
    .innerJoin('consultations as c', 'c.id', 'r.consultation_id')
    .select(['c.status', 'c.id'])
    .where('r.id', '=', relayId)
    .executeTakeFirst();
  if (open && (open.status === 'cancelled' || open.status === 'completed')) {
    return fail(
      problem(
        'invalid_state',
        `相談 #${open.id} は${open.status === 'cancelled' ? '取り消されました' : '完了しています'}。対応の必要はありません。`,
        `Consultation #${open.id} is ${open.status}; nothing to do.`,
      ),
    );
  }
  const won = await deps.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('relays')
      .set({ status: 'accepted', accepted_by: staffId, accepted_at: iso(now) })
      .where('id', '=', relayId)
      .where('status', '=', 'requested')
      .returning(['consultation_id'])
      .executeTakeFirst();
    if (!r) return false;
    await writeAudit(trx, deps.ids, now, {
      actor: staffId,
      action: 'relay.accepted',
      entity: 'consultation',
      entityId: r.consultation_id,
      before: { status: 'requested' },
      after: { status: 'accepted', by: staffId },
    });
    await enqueue(trx, deps.ids, now, 'relay.notify', r.consultation_id, { relayId, event: 'accepted' });
    return true;
  });
  const relay = await getRelay(deps.db, relayId);
  if (!relay) return fail(problem('not_found', 'このおつなぎは見つかりません。', 'This relay was not found.'));
  if (won) await deps.events?.changed(relay.consultationId);
  if (won) return ok({ relay, won: true });
  if (relay.status === 'accepted' || relay.status === 'done') return ok({ relay, won: false });
  return fail(problem('invalid_state', `このおつなぎは${relay.status === 'declined' ? 'お断り済み' : '取り消し済み'}です。`, `This relay is ${relay.status}.`));
}

async function finish(
  deps: RelayDeps,
  relayId: string,
  from: RelayStatus[],
  to: RelayStatus,
  actor: string,
  action: string,
  extra: { declined_by?: string } = {},
): Promise<Result<Relay>> {
  const now = deps.clock();
  const changed = await deps.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('relays')
      .set({ status: to, finished_at: iso(now), ...extra })
      .where('id', '=', relayId)
      .where('status', 'in', from)
      .returning(['consultation_id'])
      .executeTakeFirst();
    if (!r) return false;
    await writeAudit(trx, deps.ids, now, {
      actor,
      action,
      entity: 'consultation',
      entityId: r.consultation_id,
      before: { status: from.join('|') },
      after: { status: to },
    });
    await enqueue(trx, deps.ids, now, 'relay.notify', r.consultation_id, { relayId, event: to });
    return true;
  });
  const relay = await getRelay(deps.db, relayId);
  if (!relay) return fail(problem('not_found', 'このおつなぎは見つかりません。', 'This relay was not found.'));
  if (changed) await deps.events?.changed(relay.consultationId);
  if (!changed) return fail(problem('invalid_state', `このおつなぎはすでに「${STATUS_JA[relay.status]}」です。`, `This relay is already ${relay.status}.`));
  return ok(relay);
}

export const STATUS_JA: Record<RelayStatus, string> = { requested: '応答待ち', accepted: '対応中', done: '完了', declined: 'お断り', cancelled: '取り消し' };

/** The department cannot take it now: the requester is told and may relay elsewhere. */
export const declineRelay = (deps: RelayDeps, relayId: string, staffId: string) =>
  finish(deps, relayId, ['requested'], 'declined', staffId, 'relay.declined', { declined_by: staffId });
/** The accepting department has finished its part. */
export const finishRelay = (deps: RelayDeps, relayId: string, staffId: string) => finish(deps, relayId, ['accepted'], 'done', staffId, 'relay.done');
/** The requester gives up waiting (or relays elsewhere). */
export const cancelRelay = (deps: RelayDeps, relayId: string, staffId: string) => finish(deps, relayId, ['requested'], 'cancelled', staffId, 'relay.cancelled');

/**
 * The escalation job: a relay still unanswered is marked escalated (the alert is repeated louder and the requester is
 * offered to keep waiting, relay elsewhere or cancel). Returns whether it escalated.
 */
export async function escalateRelay(deps: RelayDeps, relayId: string): Promise<boolean> {
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('relays')
      .set({ escalated_at: iso(now) })
      .where('id', '=', relayId)
      .where('status', '=', 'requested')
      .where('escalated_at', 'is', null)
      .returning(['consultation_id', 'requested_at'])
      .executeTakeFirst();
    if (!r) return false;
    await writeAudit(trx, deps.ids, now, {
      actor: 'system',
      action: 'relay.escalated',
      entity: 'consultation',
      entityId: r.consultation_id,
      before: null,
      after: { relayId, waitingMinutes: Math.floor((now - Date.parse(r.requested_at)) / MINUTE_MS) },
    });
    await enqueue(trx, deps.ids, now, 'relay.notify', r.consultation_id, { relayId, event: 'escalated' });
    return true;
  });
}
