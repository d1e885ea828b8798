// What the branch counter page and the department board show, read from the store: pure reads, no HTML.
import type { Db } from '../core/store/schema.ts';
import { MINUTE_MS } from '../core/time.ts';
import type { Department } from '../scheduler/departments.ts';
import { listDepartments } from '../scheduler/departments.ts';
import type { Host } from '../scheduler/hosts.ts';
import { listHosts } from '../scheduler/hosts.ts';
import type { Site } from '../scheduler/sites.ts';
import { getSite, listSites } from '../scheduler/sites.ts';
import type { ConsultationView } from '../scheduler/views.ts';
import { viewById } from '../scheduler/views.ts';
import { openWalkInOnHost } from '../scheduler/walk-ins.ts';
import type { Relay } from '../relay/store.ts';
import { acceptedForDepartment, relayChain, waitingQueue } from '../relay/store.ts';
import type { Staff } from '../relay/staff.ts';
import { listStaff, nameBeside } from '../relay/staff.ts';

/** A staff member as named beside their department (relay/staff.ts nameBeside), or 担当者. */
export const personName = (s: Staff | undefined, department: Department | undefined) => nameBeside(s?.displayName, department) ?? '担当者';

export interface Hop {
  readonly relay: Relay;
  readonly department: Department | undefined;
  readonly accepter: Staff | undefined;
  readonly waitedMinutes: number;
}

export interface CounterState {
  readonly host: Host;
  readonly site: Site | null;
  readonly departments: ReadonlyArray<{ readonly department: Department; readonly onDuty: ReadonlyArray<Staff> }>;
  readonly walkIn: ConsultationView | null;
  readonly chain: ReadonlyArray<Hop>;
  readonly now: number;
}

async function hopsOf(db: Db, consultationId: string, now: number, departments: Department[], staff: Staff[]): Promise<Hop[]> {
  return (await relayChain(db, consultationId)).map((relay) => ({
    relay,
    department: departments.find((d) => d.id === relay.toDepartmentId),
    accepter: staff.find((s) => s.id === relay.acceptedBy),
    waitedMinutes: Math.max(
      0,
      Math.floor(((relay.acceptedAt ?? (relay.status === 'requested' ? now : (relay.finishedAt ?? now))) - relay.requestedAt) / MINUTE_MS),
    ),
  }));
}

export async function counterState(db: Db, hostId: string, now: number): Promise<CounterState | null> {
  const host = (await listHosts(db)).find((h) => h.id === hostId);
  if (!host) return null;
  const [departments, staff, site, walkInId] = await Promise.all([listDepartments(db), listStaff(db), getSite(db, host.siteId), openWalkInOnHost(db, host.id)]);
  const walkIn = walkInId ? await viewById(db, walkInId) : null;
  return {
    host,
    site,
    departments: departments.map((department) => ({ department, onDuty: staff.filter((s) => s.departmentId === department.id && s.onDuty) })),
    walkIn,
    chain: walkIn ? await hopsOf(db, walkIn.id, now, departments, staff) : [],
    now,
  };
}

export interface BoardCall {
  readonly relay: Relay;
  readonly position: number;
  readonly waitingMinutes: number;
  readonly site: Site | null;
  readonly consultation: ConsultationView | null;
  readonly from: Department | undefined;
}

export interface BoardState {
  readonly department: Department;
  readonly waiting: ReadonlyArray<BoardCall>;
  readonly taken: ReadonlyArray<{ readonly relay: Relay; readonly by: Staff | undefined; readonly site: Site | null }>;
  readonly members: ReadonlyArray<Staff>;
  readonly now: number;
}

export async function boardState(db: Db, departmentId: string, now: number): Promise<BoardState | null> {
  const departments = await listDepartments(db);
  const department = departments.find((d) => d.id === departmentId);
  if (!department) return null;
  const [queue, staff, sites] = await Promise.all([waitingQueue(db, now, department.id), listStaff(db), listSites(db)]);
  const siteOf = (c: ConsultationView | null) => sites.find((s) => s.id === c?.siteId) ?? null;
  const waiting = await Promise.all(
    queue.map(async (e) => {
      const consultation = await viewById(db, e.relay.consultationId);
      return { ...e, consultation, site: siteOf(consultation), from: departments.find((d) => d.id === e.relay.fromDepartmentId) };
    }),
  );
  const accepted = await acceptedForDepartment(db, department.id);
  const siteIds =
    accepted.length === 0
      ? []
      : await db
          .selectFrom('consultations')
          .select(['id', 'site_id'])
          .where(
            'id',
            'in',
            accepted.map((r) => r.consultationId),
          )
          .execute();
  const taken = accepted.map((relay) => ({
    relay,
    by: staff.find((s) => s.id === relay.acceptedBy),
    site: sites.find((s) => s.id === siteIds.find((c) => c.id === relay.consultationId)?.site_id) ?? null,
  }));
  const members = staff.filter((s) => s.departmentId === department.id).sort((a, b) => Number(b.onDuty) - Number(a.onDuty));
  return { department, waiting, taken, members, now };
}
