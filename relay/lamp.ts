// The lamp hook: a department's physical signal tower (積層信号灯) or any device that takes an HTTP request, told when
// a call comes, is taken, and is cleared. Sent by the lamp job through the outbox (retried with backoff, each request
// with a timeout). POST sends the JSON event below; GET calls a URL template whose {…} are filled in (for towers that
// take a command in the URL, such as a network signal tower's /api/control?alert=…).
import type { Db } from '../core/store/schema.ts';
import { listDepartments } from '../scheduler/departments.ts';
import { getSite } from '../scheduler/sites.ts';
import { getRelay } from './store.ts';
import type { LampEvent } from './store.ts';

export interface LampConfig {
  readonly url: string;
  readonly method: 'POST' | 'GET';
  readonly timeoutMs: number;
}

/** What the department's lamp should show once this event is taken in: its state, not only the event. */
export type LampState = 'calling' | 'taken' | 'idle';

/** The JSON a POST sends (documented in the README; version 1). */
export interface LampPayload {
  readonly version: 1;
  /** What happened: a call came (or was repeated), one was taken, or one ended without waiting any more. */
  readonly event: LampEvent;
  /** What the lamp should show now, over all the department's calls: calling while any waits, taken while any is handled. */
  readonly state: LampState;
  readonly department: { readonly id: string; readonly name: string };
  readonly site: { readonly id: string; readonly name: string } | null;
  readonly relayId: string;
  readonly consultationId: string;
  /** Calls still waiting for the department. */
  readonly waiting: number;
  readonly at: string;
}

/**
 * The code sent for each state in a GET template's {code}: by default a 6-digit pattern of tiers 1–5 and the buzzer
 * (0 off, 1 on, 2 flashing; buzzer 0 stop, 1 pattern 1), as network signal towers take it: red flashing with the buzzer
 * while calling, green while taken, all off when idle.
 */
export const LAMP_CODES: Record<LampState, string> = { calling: '200001', taken: '001000', idle: '000000' };

/** The payload, and where the department's own tower is ('' = LAMP_WEBHOOK_URL). */
export async function lampPayload(db: Db, relayId: string, event: LampEvent, now: number): Promise<(LampPayload & { readonly lampUrl: string }) | null> {
  const relay = await getRelay(db, relayId);
  if (!relay) return null;
  const department = (await listDepartments(db)).find((d) => d.id === relay.toDepartmentId);
  if (!department) return null;
  const counts = await db
    .selectFrom('relays')
    .select(['status'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('to_department_id', '=', department.id)
    .where('status', 'in', ['requested', 'accepted'])
    .groupBy('status')
    .execute();
  const n = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
  const consultation = await db.selectFrom('consultations').select(['site_id']).where('id', '=', relay.consultationId).executeTakeFirst();
  const site = await getSite(db, consultation?.site_id ?? null);
  return {
    version: 1,
    event,
    state: n('requested') > 0 ? 'calling' : n('accepted') > 0 ? 'taken' : 'idle',
    department: { id: department.id, name: department.name },
    site: site ? { id: site.id, name: site.name } : null,
    relayId,
    consultationId: relay.consultationId,
    waiting: n('requested'),
    at: new Date(now).toISOString(),
    lampUrl: department.lampUrl ?? '',
  };
}

/** A GET template filled in: {event} {state} {code} {department_id} {department} {site} {waiting} (each URL-encoded). */
export function fillLampUrl(template: string, p: LampPayload): string {
  const values: Record<string, string> = {
    event: p.event,
    state: p.state,
    code: LAMP_CODES[p.state],
    department_id: p.department.id,
    department: p.department.name,
    site: p.site?.name ?? '',
    waiting: String(p.waiting),
  };
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => (name in values ? encodeURIComponent(values[name]!) : whole));
}

export class LampError extends Error {}

/** Sends one signal; throws (for the job to retry) when the device does not answer in time or refuses. */
export async function sendLampSignal(
  deps: { readonly db: Db; readonly lamp: LampConfig; readonly clock: () => number; readonly fetch?: typeof fetch },
  relayId: string,
  event: LampEvent,
): Promise<void> {
  const found = await lampPayload(deps.db, relayId, event, deps.clock());
  if (!found) return;
  const { lampUrl, ...p } = found;
  const target = lampUrl || deps.lamp.url;
  const doFetch = deps.fetch ?? fetch;
  const signal = AbortSignal.timeout(deps.lamp.timeoutMs);
  let status: number;
  try {
    const res =
      deps.lamp.method === 'GET'
        ? await doFetch(fillLampUrl(target, p), { method: 'GET', signal })
        : await doFetch(target, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(p), signal });
    status = res.status;
    await res.body?.cancel();
  } catch (error) {
    throw new LampError(`the signal tower did not answer within ${deps.lamp.timeoutMs} ms: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (status < 200 || status >= 300) throw new LampError(`the signal tower answered HTTP ${status}`);
}
