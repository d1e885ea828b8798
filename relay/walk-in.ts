// A walk-in call (来庁者の呼び出し): branch staff (in chat, or on the counter page) connect a citizen who is at the
// branch now to a main-office department. The consultation on the branch's device and the call to the department are
// written in one transaction; its meeting and the department's alert are separate outbox jobs, so the alert never
// waits for the meeting. The department's queue orders calls from every site first come, first served.
import type { Problem, Result } from '../core/errors.ts';
import { fail, fieldProblem, ok, problem } from '../core/errors.ts';
import { isOverlapViolation, retryTransient } from '../core/store/db.ts';
import type { SchedulerDeps } from '../scheduler/consultations.ts';
import { resolveDepartment } from '../scheduler/consultations.ts';
import type { Department } from '../scheduler/departments.ts';
import type { Site } from '../scheduler/sites.ts';
import { getSite } from '../scheduler/sites.ts';
import type { Host } from '../scheduler/hosts.ts';
import { loadCityCalendar } from '../scheduler/calendar-store.ts';
import type { DeviceState } from '../scheduler/walk-ins.ts';
import { counterClosedNow, createWalkIn, describeBusy, devicesOfSite } from '../scheduler/walk-ins.ts';
import type { ConsultationView } from '../scheduler/views.ts';
import { viewById } from '../scheduler/views.ts';
import type { QueueEntry } from './store.ts';
import { getRelay, relayDepsOf, requestRelayIn, tellPages, waitingQueue } from './store.ts';
import type { Staff } from './staff.ts';
import { staffOfDepartment } from './staff.ts';

export interface WalkInCall {
  readonly siteId: string;
  /** The device the citizen sits at (the counter page's own, or the one staff chose); absent: the free one. */
  readonly hostId?: string | undefined;
  /** As typed: a department's name or alias. */
  readonly department: string;
  readonly topic: string;
  /** An optional name or reception number (no email is needed). */
  readonly reception: string;
  /** Staff id (chat) or the device's actor (counter page). */
  readonly requestedBy: string;
  /** Who the audit names. */
  readonly actor: string;
  /** The caller's own department, if any. */
  readonly fromDepartmentId: string | null;
  /** Staff confirmed a call outside the counter's hours. */
  readonly outsideHoursConfirmed?: boolean | undefined;
}

export interface WalkInStarted {
  readonly consultation: ConsultationView;
  readonly queue: QueueEntry;
  readonly department: Department;
  readonly site: Site;
  readonly host: Host;
  /** Those of the department on duty now; none: the caller is told at once, with the alternatives. */
  readonly onDuty: ReadonlyArray<Staff>;
}

/** Why a walk-in could not start; `kind` tells the surfaces what to offer (another device, a confirmation). */
export type WalkInRefusal =
  | { readonly kind: 'problem'; readonly problem: Problem }
  | { readonly kind: 'choose_device'; readonly problem: Problem; readonly free: ReadonlyArray<Host> }
  | { readonly kind: 'device_busy'; readonly problem: Problem; readonly free: ReadonlyArray<Host> }
  | { readonly kind: 'outside_hours'; readonly problem: Problem };

const refuse = (r: WalkInRefusal) => fail(r);

function devicesText(devices: ReadonlyArray<DeviceState>, now: number): string {
  return devices.map((d, i) => `${i + 1}. ${d.host.displayName}（${describeBusy(d, now).ja}）`).join('\n');
}

/** Starts the walk-in and the call to the department together. */
export async function startWalkIn(deps: SchedulerDeps, call: WalkInCall): Promise<Result<WalkInStarted, WalkInRefusal>> {
  const db = deps.store.db;
  const now = deps.clock();
  const site = await getSite(db, call.siteId);
  if (!site) return refuse({ kind: 'problem', problem: fieldProblem('siteId', `拠点 ${call.siteId} は登録されていません。`, `Unknown site ${call.siteId}.`) });
  const found = await resolveDepartment(db, call.department);
  if (!found.ok) return refuse({ kind: 'problem', problem: found.reason });
  const department = found.value;
  if (department.id === call.fromDepartmentId)
    return refuse({ kind: 'problem', problem: problem('validation', '同じ課にはおつなぎできません。', 'That is the same department.') });
  if (!call.outsideHoursConfirmed) {
    const closed = counterClosedNow(await loadCityCalendar(db, deps.config.calendar), now);
    if (closed) {
      return refuse({
        kind: 'outside_hours',
        problem: problem(
          'invalid_state',
          `いまは窓口の受付時間外です（${closed.ja}）。それでもつなぐ場合は、確認してからもう一度呼び出してください。`,
          `The counter is closed now (${closed.en}); confirm to call anyway.`,
          { extra: { needsConfirmation: true } },
        ),
      });
    }
  }
  const devices = await devicesOfSite(db, site.id, now, deps.config.walkIn.minutes, deps.config.slots.bufferMinutes);
  if (devices.length === 0) {
    return refuse({
      kind: 'problem',
      problem: problem(
        'invalid_state',
        `${site.name}には相談用の端末（アカウント）が登録されていません。管理画面の「拠点」で端末をこの拠点に割り当ててください。`,
        `${site.name} has no counter device; assign one in the admin page (Sites).`,
      ),
    });
  }
  const free = devices.filter((d) => d.busyWith === null).map((d) => d.host);
  let candidates: Host[];
  if (call.hostId) {
    const chosen = devices.find((d) => d.host.id === call.hostId);
    if (!chosen) {
      return refuse({
        kind: 'problem',
        problem: fieldProblem(
          'hostId',
          `端末 ${call.hostId} は${site.name}の端末ではありません。\n${devicesText(devices, now)}`,
          `Device ${call.hostId} is not at ${site.name}.`,
        ),
      });
    }
    candidates = [chosen.host];
  } else if (free.length > 1) {
    return refuse({
      kind: 'choose_device',
      free,
      problem: problem(
        'validation',
        `${site.name}には空いている端末が${free.length}台あります。相談者がいる端末を選んでください。\n${devicesText(devices, now)}`,
        `${free.length} devices are free at ${site.name}; choose the one the citizen is at.`,
        { extra: { freeHosts: free.map((h) => ({ id: h.id, displayName: h.displayName })) } },
      ),
    });
  } else {
    candidates = free.length === 1 ? free : [];
  }
  const busy = () => {
    const others = devices.filter((d) => d.busyWith === null && !candidates.some((c) => c.id === d.host.id)).map((d) => d.host);
    return refuse({
      kind: 'device_busy',
      free: others,
      problem: problem(
        'conflict',
        `${candidates[0]?.displayName ?? `${site.name}の端末`}はいま使えません。${others.length > 0 ? `空いている端末: ${others.map((h) => h.displayName).join('、')}` : `${site.name}に空いている端末はありません。`}\n${devicesText(devices, now)}`,
        `That device is in use${others.length > 0 ? `; free: ${others.map((h) => h.displayName).join(', ')}` : '; no device is free at this site'}.`,
        { extra: { freeHosts: others.map((h) => ({ id: h.id, displayName: h.displayName })) } },
      ),
    });
  };
  const host = candidates[0];
  if (!host || (call.hostId && devices.find((d) => d.host.id === call.hostId)?.busyWith)) return busy();

  const relayDeps = relayDepsOf({ ...deps, db });
  let ids: { consultationId: string; relayId: string };
  try {
    ids = await retryTransient(() =>
      db.transaction().execute(async (trx) => {
        const row = await createWalkIn(trx, deps, { host, departmentId: department.id, topic: call.topic, reception: call.reception, actor: call.actor }, now);
        const relay = await requestRelayIn(
          trx,
          relayDeps,
          {
            consultationId: row.id,
            toDepartmentId: department.id,
            fromDepartmentId: call.fromDepartmentId,
            note: call.topic,
            requestedBy: call.requestedBy,
            walkIn: true,
          },
          now,
        );
        return { consultationId: row.id, relayId: relay.id };
      }),
    );
  } catch (error) {
    if (isOverlapViolation(error)) return busy();
    throw error;
  }
  await tellPages(deps, ids.consultationId);
  const consultation = (await viewById(db, ids.consultationId))!;
  const queue = (await waitingQueue(db, now, department.id)).find((e) => e.relay.id === ids.relayId);
  const onDuty = (await staffOfDepartment(db, department.id)).filter((s) => s.onDuty);
  return ok({
    consultation,
    // Taken already in the moment since: then it is first, and waiting no more.
    queue: queue ?? { relay: (await getRelay(db, ids.relayId))!, position: 1, waitingMinutes: 0 },
    department,
    site,
    host,
    onDuty,
  });
}
