// The relay (リレー) in the store: the one module that writes relays, who they alerted and who declined. Each step
// reads the relay in a transaction (locked on PostgreSQL; SQLite's write lock at BEGIN), asks the pure state machine
// (state.ts) what follows, writes it with its audit entry, and queues what people are told (jobs.ts) — all at once.
import { PostgresAdapter } from 'kysely';
import type { Db, RelayTable } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import { isUniqueViolation, retryTransient } from '../core/store/db.ts';
import type { Result } from '../core/errors.ts';
import { ProblemError, fail, ok, problem } from '../core/errors.ts';
import { writeAudit } from '../core/audit.ts';
import { enqueue } from '../core/outbox.ts';
import { MINUTE_MS, formatJa } from '../core/time.ts';
import type { AppEvents } from '../core/events.ts';
import type { RelayAct, RelayFacts, RelayNotice, RelayRefusal, RelayStatus } from './state.ts';
import { RELAY_STATUS_JA, relayStep } from './state.ts';
import { staffOfDepartment } from './staff.ts';
import { LAMP_SIGNAL, RELAY_ESCALATE, RELAY_NOTIFY } from './job-kinds.ts';

export const STATUS_JA = RELAY_STATUS_JA;

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
  /** Minutes without an accept before the alert is repeated to everyone (default 3). */
  readonly escalationMinutes: number;
  /** The same for a walk-in, where a citizen sits waiting at a branch (default 1). */
  readonly walkInEscalationMinutes: number;
  /** A signal tower is configured: each step that changes a department's calls signals it. */
  readonly lamp: boolean;
  /** Tells the in-meeting app (the citizen's status, the staff view) and the boards after each change. */
  readonly events?: AppEvents | undefined;
}

/** The relay's dependencies from what the server, the bot and the worker have at hand. */
export const relayDepsOf = (d: {
  readonly db: Db;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly config: { readonly relay: { readonly escalationMinutes: number; readonly walkInEscalationMinutes: number }; readonly lamp: unknown };
  readonly events?: AppEvents | undefined;
}): RelayDeps => ({
  db: d.db,
  ids: d.ids,
  clock: d.clock,
  escalationMinutes: d.config.relay.escalationMinutes,
  walkInEscalationMinutes: d.config.relay.walkInEscalationMinutes,
  lamp: d.config.lamp !== null,
  ...(d.events ? { events: d.events } : {}),
});

/** How long before its start a consultation can be relayed (the citizen may join early). */
export const RELAY_EARLY_MINUTES = 15;

/** A consultation can be relayed now: in progress, or from RELAY_EARLY_MINUTES before its start until its buffer ends. */
export const happeningNow = (c: { readonly status: string; readonly start: number; readonly blockEnd: number }, now: number) =>
  c.status === 'in_progress' || (now >= c.start - RELAY_EARLY_MINUTES * MINUTE_MS && now < c.blockEnd);

/** The event every department board and counter page listens to: some relay changed (they read what they show). */
export const RELAYS_EVENT = 'relays';

/** After a commit: the pages of the consultation and every board are told. */
export async function tellPages(deps: Pick<RelayDeps, 'events'>, consultationId: string): Promise<void> {
  await deps.events?.changed(consultationId);
  await deps.events?.changed(RELAYS_EVENT);
}

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

/** The relays a staff member has accepted and not finished, oldest first (optionally for one consultation). */
export async function acceptedBy(db: Db, staffId: string, consultationId?: string | null): Promise<Relay[]> {
  let q = db.selectFrom('relays').selectAll().where('accepted_by', '=', staffId).where('status', '=', 'accepted');
  if (consultationId) q = q.where('consultation_id', '=', consultationId);
  return (await q.orderBy('accepted_at').execute()).map(fromRow);
}

/** The relays a department is handling now (accepted, not finished), oldest first. */
export async function acceptedForDepartment(db: Db, departmentId: string): Promise<Relay[]> {
  return (
    await db.selectFrom('relays').selectAll().where('to_department_id', '=', departmentId).where('status', '=', 'accepted').orderBy('accepted_at').execute()
  ).map(fromRow);
}

/** Staff who said they cannot take this relay (its others may still accept). */
export async function declinersOf(db: Db, relayId: string): Promise<string[]> {
  return (await db.selectFrom('relay_declines').select('staff_id').where('relay_id', '=', relayId).orderBy('declined_at').execute()).map((r) => r.staff_id);
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

/** Who a new relay alerts: the department's staff on duty, or all of its staff when nobody is. */
async function firstRecipients(db: Db, departmentId: string): Promise<string[]> {
  const members = await staffOfDepartment(db, departmentId);
  const onDuty = members.filter((m) => m.onDuty);
  return (onDuty.length > 0 ? onDuty : members).map((m) => m.id);
}

/** The lamp's view of a step: a call (red, buzzer), taken (green), or nothing left for it (off). */
export type LampEvent = 'call' | 'accepted' | 'cleared';

/**
 * Writes a new relay in `trx` with who it alerts, its audit entry, its escalation (sooner for a walk-in) and its alert
 * (and the lamp's signal). Used by a relay of a consultation and by a walk-in call, which starts the consultation too.
 */
export async function requestRelayIn(
  trx: Db,
  deps: RelayDeps,
  req: RelayRequest & { readonly walkIn: boolean },
  now: number,
): Promise<{ readonly id: string; readonly alerted: number }> {
  const id = deps.ids.shortId();
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
  const recipients = await firstRecipients(trx, req.toDepartmentId);
  if (recipients.length > 0)
    await trx
      .insertInto('relay_recipients')
      .values(recipients.map((s) => ({ relay_id: id, staff_id: s, alerted_at: iso(now) })))
      .execute();
  await writeAudit(trx, deps.ids, now, {
    actor: req.requestedBy,
    action: 'relay.requested',
    entity: 'consultation',
    entityId: req.consultationId,
    before: null,
    after: { relayId: id, from: req.fromDepartmentId, to: req.toDepartmentId, note: req.note, alerted: recipients.length },
  });
  const minutes = req.walkIn ? deps.walkInEscalationMinutes : deps.escalationMinutes;
  await enqueue(trx, deps.ids, now, RELAY_ESCALATE, req.consultationId, { relayId: id }, now + minutes * MINUTE_MS);
  await enqueue(trx, deps.ids, now, RELAY_NOTIFY, req.consultationId, { relayId: id, event: 'requested' });
  if (deps.lamp) await enqueue(trx, deps.ids, now, LAMP_SIGNAL, req.consultationId, { relayId: id, event: 'call' });
  return { id, alerted: recipients.length };
}

class StillWaiting extends Error {}

/**
 * Asks a department to take the consultation over; the escalation and the alert are queued in the same transaction.
 * When the department that has the citizen now (an accepted relay) hands them on — the branch or the accepter types
 * /relay 年金 — its relay is done and the next one asked for at once, the citizen staying in the same meeting.
 */
export async function requestRelay(deps: RelayDeps, req: RelayRequest): Promise<Result<QueueEntry>> {
  const { db } = deps;
  const c = await db
    .selectFrom('consultations')
    .select(['id', 'status', 'kind', 'start_at', 'block_end_at', 'department_id'])
    .where('id', '=', req.consultationId)
    .executeTakeFirst();
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
  const now = deps.clock();
  // Only a consultation happening now: the citizen's page would otherwise say "おつなぎしています" days early.
  const start = Date.parse(c.start_at);
  if (!happeningNow({ status: c.status, start, blockEnd: Date.parse(c.block_end_at) }, now)) {
    return fail(
      problem(
        'invalid_state',
        now < start
          ? `相談 #${c.id} は ${formatJa(start)} からです。おつなぎは、相談が始まる${RELAY_EARLY_MINUTES}分前からできます。`
          : `相談 #${c.id} の時間（${formatJa(start)}〜）は終わっています。`,
        now < start
          ? `Consultation #${c.id} starts at ${formatJa(start)}; relay it from ${RELAY_EARLY_MINUTES} minutes before.`
          : `Consultation #${c.id} is over.`,
      ),
    );
  }
  // A booked consultation is its department's own: relaying it there would only call the people who have it.
  if (c.kind !== 'walk_in' && req.toDepartmentId === c.department_id) {
    const name = (await db.selectFrom('departments').select('name').where('id', '=', c.department_id).executeTakeFirst())?.name ?? '';
    return fail(
      problem(
        'validation',
        `この相談はもともと${name}の相談です。ほかの課を選んでください。`,
        `This consultation is ${name}'s already; choose another department.`,
      ),
    );
  }
  let id = '';
  try {
    await retryTransient(() =>
      db.transaction().execute(async (trx) => {
        let q = trx
          .selectFrom('relays')
          .select(['id', 'status', 'to_department_id'])
          .where('consultation_id', '=', req.consultationId)
          .where('status', 'in', ['requested', 'accepted']);
        if (trx.getExecutor().adapter instanceof PostgresAdapter) q = q.forUpdate();
        const open = await q.executeTakeFirst();
        if (open?.status === 'requested') throw new StillWaiting();
        const from = open ? open.to_department_id : req.fromDepartmentId;
        if (from === req.toDepartmentId) throw new ProblemError(problem('validation', '同じ課にはおつなぎできません。', 'That is the same department.'));
        if (open) {
          const finished = await stepIn(trx, deps, open.id, { type: 'finish' }, req.requestedBy, now);
          if (!finished.ok) throw new StillWaiting();
        }
        id = (await requestRelayIn(trx, deps, { ...req, fromDepartmentId: from, walkIn: c.kind === 'walk_in' }, now)).id;
      }),
    );
  } catch (error) {
    if (error instanceof ProblemError) return fail(error.problem);
    if (!(error instanceof StillWaiting) && !isUniqueViolation(error)) throw error;
    const open = await openRelayOf(db, req.consultationId);
    return fail(
      problem(
        'conflict',
        `この相談は、すでにほかの課へおつなぎ中です（${open?.status === 'accepted' ? '対応中' : '応答待ち'}）。応答を待つか、やめてからおつなぎしてください。`,
        'This consultation already has a relay waiting for an answer; wait for it, or cancel it first.',
        { extra: { relayId: open?.id } },
      ),
    );
  }
  await tellPages(deps, req.consultationId);
  // Taken (or cancelled) already in the moment since: then it is first, and waiting no more.
  const entry = (await waitingQueue(db, now, req.toDepartmentId)).find((e) => e.relay.id === id) ?? {
    relay: (await getRelay(db, id))!,
    position: 1,
    waitingMinutes: 0,
  };
  return ok(entry);
}

/** Every relay of a consultation in the order they were asked for: the chain of departments the citizen went through. */
export async function relayChain(db: Db, consultationId: string): Promise<Relay[]> {
  return (await db.selectFrom('relays').selectAll().where('consultation_id', '=', consultationId).orderBy('requested_at').orderBy('id').execute()).map(fromRow);
}

const AUDIT_ACTION: Record<RelayNotice, string> = {
  accepted: 'relay.accepted',
  declined: 'relay.declined',
  decline_noted: 'relay.decline_noted',
  escalated: 'relay.escalated',
  done: 'relay.done',
  cancelled: 'relay.cancelled',
};

/** What each step means for the department's lamp (a decline by one person changes nothing there). */
const LAMP_OF: Record<RelayNotice, LampEvent | null> = {
  accepted: 'accepted',
  declined: 'cleared',
  decline_noted: null,
  escalated: 'call',
  done: 'cleared',
  cancelled: 'cleared',
};

interface Stepped {
  readonly relay: Relay;
  readonly notice: RelayNotice;
}

/** What to do, or how to work it out from the relay as read (in the transaction: `trx` is the only way to the store). */
type Act = RelayAct | ((row: RelayTable, trx: Db) => Promise<RelayAct>);

/**
 * One step of a relay, in `trx`: read (locked), decided by the state machine, written with its audit entry and the
 * notice job. Returns the refusal when the step is not possible now.
 */
async function stepIn(trx: Db, deps: RelayDeps, relayId: string, act: Act, actor: string, now: number): Promise<Result<Stepped, RelayRefusal | 'not_found'>> {
  let q = trx.selectFrom('relays').selectAll().where('id', '=', relayId);
  // PostgreSQL: two answers to one relay at the same moment take turns here. (SQLite's transaction holds the write lock already.)
  if (trx.getExecutor().adapter instanceof PostgresAdapter) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) return fail('not_found');
  const [recipients, declined] = await Promise.all([
    trx.selectFrom('relay_recipients').select('staff_id').where('relay_id', '=', relayId).execute(),
    trx.selectFrom('relay_declines').select('staff_id').where('relay_id', '=', relayId).execute(),
  ]);
  const facts: RelayFacts = {
    status: row.status as RelayStatus,
    recipients: new Set(recipients.map((r) => r.staff_id)),
    declined: new Set(declined.map((r) => r.staff_id)),
    acceptedBy: row.accepted_by,
    escalated: row.escalated_at !== null,
  };
  const a = typeof act === 'function' ? await act(row, trx) : act;
  const step = relayStep(facts, a);
  if (!step.ok) return fail(step.why);
  const at = iso(now);
  const closes = step.facts.status !== facts.status && (step.facts.status === 'done' || step.facts.status === 'declined' || step.facts.status === 'cancelled');
  const changes = {
    status: step.facts.status,
    ...(a.type === 'accept' ? { accepted_by: a.staffId, accepted_at: at } : {}),
    ...(a.type === 'decline' ? { declined_by: a.staffId } : {}),
    ...(a.type === 'escalate' ? { escalated_at: at } : {}),
    ...(closes ? { finished_at: at } : {}),
  };
  await trx.updateTable('relays').set(changes).where('id', '=', relayId).where('status', '=', facts.status).execute();
  if (a.type === 'decline' && !facts.declined.has(a.staffId))
    await trx.insertInto('relay_declines').values({ relay_id: relayId, staff_id: a.staffId, declined_at: at }).execute();
  if (a.type === 'escalate') {
    const added = [...step.facts.recipients].filter((s) => !facts.recipients.has(s));
    if (added.length > 0)
      await trx
        .insertInto('relay_recipients')
        .values(added.map((s) => ({ relay_id: relayId, staff_id: s, alerted_at: at })))
        .execute();
  }
  await writeAudit(trx, deps.ids, now, {
    actor,
    action: AUDIT_ACTION[step.notice],
    entity: 'consultation',
    entityId: row.consultation_id,
    before: { relayId, status: facts.status },
    after: {
      relayId,
      status: step.facts.status,
      ...(a.type === 'accept' || a.type === 'decline' ? { by: a.staffId } : {}),
      ...(a.type === 'escalate' ? { waitingMinutes: Math.floor((now - Date.parse(row.requested_at)) / MINUTE_MS) } : {}),
    },
  });
  await enqueue(trx, deps.ids, now, RELAY_NOTIFY, row.consultation_id, {
    relayId,
    event: step.notice,
    ...(a.type === 'decline' ? { staffId: a.staffId } : {}),
  });
  const lamp = LAMP_OF[step.notice];
  if (deps.lamp && lamp) await enqueue(trx, deps.ids, now, LAMP_SIGNAL, row.consultation_id, { relayId, event: lamp });
  return ok({ relay: fromRow({ ...row, ...changes }), notice: step.notice });
}

async function step(deps: RelayDeps, relayId: string, act: Act, actor: string): Promise<Result<Stepped, RelayRefusal | 'not_found'>> {
  const now = deps.clock();
  const r = await retryTransient(() => deps.db.transaction().execute((trx) => stepIn(trx, deps, relayId, act, actor, now)));
  if (r.ok) await tellPages(deps, r.value.relay.consultationId);
  return r;
}

const notFound = () => problem('not_found', 'このおつなぎは見つかりません。', 'This relay was not found.');

function refusal(why: RelayRefusal | 'not_found', relay: Relay | null) {
  switch (why) {
    case 'not_found':
      return notFound();
    case 'taken':
      return problem('invalid_state', 'このおつなぎは、ほかの方がすでに対応しています。', 'Someone else has taken this relay.');
    case 'not_accepted':
      return problem('invalid_state', 'このおつなぎは、まだだれも対応していません。', 'Nobody has taken this relay yet.');
    case 'already_declined':
      return problem(
        'invalid_state',
        'このおつなぎには、すでに「対応できない」と記録しています。対応できるようになったら /accept で引き受けられます。',
        'You have already declined this relay; you can still take it with /accept.',
      );
    default:
      return problem(
        'invalid_state',
        `このおつなぎはすでに「${relay ? STATUS_JA[relay.status] : '終了'}」です。`,
        `This relay is already ${relay?.status ?? 'over'}.`,
      );
  }
}

export type AcceptOutcome = { readonly relay: Relay; readonly won: true } | { readonly relay: Relay; readonly won: false };

/** The first accept wins; a later one learns who took it. */
export async function acceptRelay(deps: RelayDeps, relayId: string, staffId: string): Promise<Result<AcceptOutcome>> {
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
  const r = await step(deps, relayId, { type: 'accept', staffId }, staffId);
  if (r.ok) return ok({ relay: r.value.relay, won: true });
  const relay = await getRelay(deps.db, relayId);
  if (r.reason === 'taken' && relay) return ok({ relay, won: false });
  return fail(refusal(r.reason, relay));
}

export interface DeclineOutcome {
  readonly relay: Relay;
  /** Everyone alerted has now said no: the relay is declined and the requester is told. */
  readonly everyone: boolean;
}

/** One person cannot take it now. Only when everyone alerted has said so is the relay declined (and the requester told). */
export async function declineRelay(deps: RelayDeps, relayId: string, staffId: string): Promise<Result<DeclineOutcome>> {
  const r = await step(deps, relayId, { type: 'decline', staffId }, staffId);
  if (r.ok) return ok({ relay: r.value.relay, everyone: r.value.notice === 'declined' });
  return fail(refusal(r.reason, await getRelay(deps.db, relayId)));
}

/** The accepting department has finished its part. */
export async function finishRelay(deps: RelayDeps, relayId: string, staffId: string): Promise<Result<Relay>> {
  const r = await step(deps, relayId, { type: 'finish' }, staffId);
  return r.ok ? ok(r.value.relay) : fail(refusal(r.reason, await getRelay(deps.db, relayId)));
}

/** The requester gives up waiting (or relays elsewhere). */
export async function cancelRelay(deps: RelayDeps, relayId: string, staffId: string): Promise<Result<Relay>> {
  const r = await step(deps, relayId, { type: 'cancel' }, staffId);
  return r.ok ? ok(r.value.relay) : fail(refusal(r.reason, await getRelay(deps.db, relayId)));
}

/**
 * The escalation job: a relay still unanswered after RELAY_ESCALATION_MINUTES alerts everyone in the department again,
 * and the requester may keep waiting, relay elsewhere or cancel. Returns whether it escalated.
 */
export async function escalateRelay(deps: RelayDeps, relayId: string): Promise<boolean> {
  const r = await step(
    deps,
    relayId,
    async (row, trx) => ({ type: 'escalate', everyone: (await staffOfDepartment(trx, row.to_department_id)).map((m) => m.id) }),
    'system',
  );
  return r.ok;
}

/**
 * The consultation closed (cancelled or completed), in its transaction: a relay still asking is cancelled, one being
 * handled is done, each audited and its people told. lifecycle.ts's `closed` hook.
 */
export async function closeRelaysOf(trx: Db, deps: Pick<RelayDeps, 'ids' | 'lamp'>, consultationId: string, now: number, actor: string): Promise<void> {
  const open = await trx
    .selectFrom('relays')
    .select(['id', 'status'])
    .where('consultation_id', '=', consultationId)
    .where('status', 'in', ['requested', 'accepted'])
    .execute();
  for (const r of open) {
    await stepIn(
      trx,
      { db: trx, ids: deps.ids, clock: () => now, escalationMinutes: 0, walkInEscalationMinutes: 0, lamp: deps.lamp },
      r.id,
      r.status === 'requested' ? { type: 'cancel' } : { type: 'finish' },
      actor,
      now,
    );
  }
}

/**
 * The consultation's meeting has just been made (lifecycle's `meetingReady` hook, in its transaction): whoever already
 * accepted a relay for it is told again, and this time gets the join details (each other notice is sent only once).
 */
export async function meetingReadyFor(trx: Db, deps: Pick<RelayDeps, 'ids'>, consultationId: string, now: number): Promise<void> {
  const accepted = await trx.selectFrom('relays').select('id').where('consultation_id', '=', consultationId).where('status', '=', 'accepted').execute();
  for (const r of accepted) await enqueue(trx, deps.ids, now, RELAY_NOTIFY, consultationId, { relayId: r.id, event: 'accepted' });
}
