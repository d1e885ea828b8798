// /api/v1, as a table (api/table.ts): each route parses with zod, calls the domain, and answers; failures are problem
// documents (core/http.ts). The same table writes /api/v1/openapi.json.
import express from 'express';
import type { Router } from 'express';
import { z } from 'zod';
import type { Problem, Result } from '../core/errors.ts';
import { ProblemError, fieldProblem, problem } from '../core/errors.ts';
import { readAudit, writeAudit } from '../core/audit.ts';
import { createToken, issueDeviceToken, listDevices, listTokens, revokeTokenChecked } from '../core/auth/tokens.ts';
import { formatMinute, toLocalDate } from '../core/time.ts';
import { noStore } from '../core/security.ts';
import type { Throttles } from '../core/throttle.ts';
import { addHost, changeHost, listHosts, retireHostChecked } from '../scheduler/hosts.ts';
import { listDepartments } from '../scheduler/departments.ts';
import type { SchedulerDeps } from '../scheduler/consultations.ts';
import {
  bookConsultation,
  cancelConsultation,
  closedDaysBetween,
  eraseOnRequest,
  extendConsultation,
  freeSlots,
  rescheduleConsultation,
  retryConsultation,
} from '../scheduler/consultations.ts';
import { addSite, checkDeviceScope, listSites, retireSite, updateSite } from '../scheduler/sites.ts';
import { startWalkIn } from '../relay/walk-in.ts';
import { listConsultations, notFound, viewById } from '../scheduler/views.ts';
import { addClosure, ClosureBody } from '../scheduler/closures.ts';
import { listCalendarExceptions, parseCalendarException, removeCalendarException } from '../scheduler/calendar-store.ts';
import type { CalendarException } from '../scheduler/calendar/calendar.ts';
import { readState } from '../embedded-app/state/index.ts';
import { textByHash } from '../embedded-app/state/content-store.ts';
import { parsePeriod } from '../reports/periods.ts';
import { figuresFor } from '../reports/store.ts';
import * as S from './schemas.ts';
import type { Route } from './table.ts';
import { mountTable, route } from './table.ts';
import { openApiDocument } from './openapi.ts';

export type ApiDeps = SchedulerDeps & { readonly throttles: Throttles };

/** A domain result as the answer, or its problem thrown for the error handler. */
function must<T>(r: Result<T, Problem>): T {
  if (!r.ok) throw new ProblemError(r.reason);
  return r.value;
}

const exceptionView = (e: CalendarException) => ({
  id: e.id!,
  kind: e.kind,
  startDate: e.startDate,
  endDate: e.endDate,
  startTime: e.startMinute === null ? null : formatMinute(e.startMinute),
  endTime: e.endMinute === null ? null : formatMinute(e.endMinute),
  note: e.note,
});

const json = (body: unknown, status = 200) => ({ status, body });
const hostView = (h: { id: string; displayName: string; provider: string; siteId: string }) => ({
  id: h.id,
  displayName: h.displayName,
  provider: h.provider,
  siteId: h.siteId,
});

const notFoundAnswer = { description: 'Not found' };

export function apiTable(deps: ApiDeps): Route[] {
  const { db } = deps.store;
  const consultation = async (id: string) => {
    const c = await viewById(db, id);
    if (!c) throw new ProblemError(notFound(id));
    return c;
  };
  const routes: Route[] = [
    route({
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApi',
      summary: 'This document',
      tag: 'meta',
      auth: 'public',
      responses: { 200: { description: 'The OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
      handle: async () => json(openApiDocument(routes, deps.config.publicBaseUrl)),
    }),
    route({
      method: 'get',
      path: '/hosts',
      operationId: 'listHosts',
      summary: 'Host accounts (the dedicated conferencing accounts)',
      tag: 'hosts',
      auth: 'staff',
      responses: { 200: { description: 'Hosts', schema: S.HostList } },
      handle: async () => json({ hosts: (await listHosts(db)).map(hostView) }),
    }),
    route({
      method: 'post',
      path: '/hosts',
      operationId: 'addHost',
      summary: 'Add a host account (admin)',
      tag: 'hosts',
      auth: 'admin',
      body: S.HostBody,
      responses: { 201: { description: 'Added', schema: S.Host }, 409: { description: 'That account is a host already (`hostId`)' } },
      async handle({ body, actor }) {
        return json(hostView(must(await addHost(db, deps.ids, deps.clock(), body, actor))), 201);
      },
    }),
    route({
      method: 'patch',
      path: '/hosts/:id',
      operationId: 'updateHost',
      summary: 'Rename a host, or move the device to another site (admin)',
      tag: 'hosts',
      auth: 'admin',
      params: S.IdParams,
      body: S.HostPatch,
      responses: { 200: { description: 'Changed', schema: S.Host }, 404: notFoundAnswer, 400: { description: 'Unknown site' } },
      async handle({ params, body, actor }) {
        return json(hostView(must(await changeHost(db, deps.ids, deps.clock(), params.id, body, actor))));
      },
    }),
    route({
      method: 'get',
      path: '/sites',
      operationId: 'listSites',
      summary: 'Sites: the main office and the branches, each with its devices (hosts)',
      tag: 'sites',
      auth: 'staff',
      responses: { 200: { description: 'Sites', schema: S.SiteList } },
      handle: async () => json({ sites: await listSites(db) }),
    }),
    route({
      method: 'post',
      path: '/sites',
      operationId: 'addSite',
      summary: 'Add a branch (admin)',
      tag: 'sites',
      auth: 'admin',
      body: S.SiteBody,
      responses: { 201: { description: 'Added', schema: S.Site }, 400: { description: 'The name is taken, or a second main office' } },
      async handle({ body, actor }) {
        const site = must(await addSite(db, deps.ids, deps.clock(), body));
        await writeAudit(db, deps.ids, deps.clock(), { actor, action: 'site.added', entity: 'site', entityId: site.id, before: null, after: site });
        return json(site, 201);
      },
    }),
    route({
      method: 'patch',
      path: '/sites/:id',
      operationId: 'updateSite',
      summary: 'Rename a site or change its phone number (admin)',
      tag: 'sites',
      auth: 'admin',
      params: S.IdParams,
      body: S.SitePatch,
      responses: { 200: { description: 'Changed', schema: S.Site }, 404: notFoundAnswer },
      async handle({ params, body, actor }) {
        const site = must(await updateSite(db, params.id, body));
        await writeAudit(db, deps.ids, deps.clock(), { actor, action: 'site.changed', entity: 'site', entityId: site.id, before: null, after: site });
        return json(site);
      },
    }),
    route({
      method: 'delete',
      path: '/sites/:id',
      operationId: 'retireSite',
      summary: 'Close a branch (admin): its devices move to the main office',
      tag: 'sites',
      auth: 'admin',
      params: S.IdParams,
      responses: { 204: { description: 'Retired' }, 404: notFoundAnswer, 409: { description: 'The main office cannot be retired' } },
      async handle({ params, actor }) {
        const site = must(await retireSite(db, params.id, deps.clock()));
        await writeAudit(db, deps.ids, deps.clock(), { actor, action: 'site.retired', entity: 'site', entityId: site.id, before: site, after: null });
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: '/devices',
      operationId: 'listDevices',
      summary: 'Device tokens: branch counter terminals and department alert boards (admin)',
      tag: 'tokens',
      auth: 'admin',
      responses: { 200: { description: 'Devices (never their tokens)', schema: S.DeviceList } },
      handle: async () =>
        json({ devices: (await listDevices(db)).map((d) => ({ id: d.tokenId, name: d.name, role: d.role, scope: d.scope, createdAt: d.createdAt })) }),
    }),
    route({
      method: 'post',
      path: '/devices',
      operationId: 'createDevice',
      summary:
        'Make a device token for a branch counter terminal (scope: host) or a department board (scope: department) (admin); revoke it with DELETE /tokens/{id}',
      tag: 'tokens',
      auth: 'admin',
      body: S.DeviceBody,
      responses: { 201: { description: 'Created; the token is shown once', schema: S.IssuedDevice }, 400: { description: 'Unknown host or department' } },
      async handle({ body, actor }) {
        must(await checkDeviceScope(db, body.role, body.scope));
        const d = await issueDeviceToken(db, deps.ids, deps.clock(), { ...body, createdBy: actor });
        await writeAudit(db, deps.ids, deps.clock(), {
          actor,
          action: 'device.created',
          entity: 'token',
          entityId: d.tokenId,
          before: null,
          after: { name: d.name, role: d.role, scope: d.scope },
        });
        return json({ id: d.tokenId, name: d.name, role: d.role, scope: d.scope, token: d.token }, 201);
      },
    }),
    route({
      method: 'post',
      path: '/walk-ins',
      operationId: 'startWalkIn',
      summary:
        "Connect a citizen at a branch counter to a department now: the consultation on the branch's device and the call to the department, at once (no notice, no email)",
      tag: 'consultations',
      auth: 'staff',
      body: S.WalkInBody,
      responses: {
        201: { description: 'Started; the department is being alerted and the meeting made', schema: S.WalkInStarted },
        400: { description: 'Unknown site, device or department, or several devices free (`freeHosts`)' },
        409: { description: 'The device is in use (`freeHosts`), or the counter is closed (`needsConfirmation`)' },
      },
      async handle({ body, actor }) {
        const r = await startWalkIn(deps, {
          siteId: body.siteId,
          hostId: body.hostId,
          department: body.department,
          topic: body.topic ?? '',
          reception: body.reception ?? '',
          requestedBy: actor,
          actor,
          fromDepartmentId: null,
          outsideHoursConfirmed: body.outsideHoursConfirmed,
        });
        if (!r.ok) throw new ProblemError(r.reason.problem);
        return json(
          {
            consultation: r.value.consultation,
            relayId: r.value.queue.relay.id,
            position: r.value.queue.position,
            onDuty: r.value.onDuty.map((s) => s.displayName),
          },
          201,
        );
      },
    }),
    route({
      method: 'post',
      path: '/consultations/:id/extend',
      operationId: 'extendConsultation',
      summary: 'Let a consultation that has started run on (no time limit; only the next booking on its host stops it)',
      tag: 'consultations',
      auth: 'staff',
      params: S.IdParams,
      body: S.ExtendBody,
      responses: {
        200: { description: 'Extended', schema: S.Consultation },
        404: notFoundAnswer,
        409: { description: 'Not started or already over, or the next booking of the host is in the way (`maxMinutes`)' },
      },
      handle: async ({ params, body, actor }) => json(must(await extendConsultation(deps, params.id, body.minutes, actor))),
    }),
    route({
      method: 'delete',
      path: '/hosts/:id',
      operationId: 'retireHost',
      summary: 'Retire a host account (admin); refused while it has upcoming consultations',
      tag: 'hosts',
      auth: 'admin',
      params: S.IdParams,
      responses: { 204: { description: 'Retired' }, 404: notFoundAnswer, 409: { description: 'It has upcoming consultations (`consultations`)' } },
      async handle({ params, actor }) {
        must(await retireHostChecked(db, deps.ids, deps.clock(), params.id, actor));
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: '/departments',
      operationId: 'listDepartments',
      summary: 'Departments, with where their relay alerts go',
      tag: 'departments',
      auth: 'staff',
      responses: { 200: { description: 'Departments', schema: S.DepartmentList } },
      handle: async () =>
        json({
          departments: (await listDepartments(db)).map((d) => ({
            id: d.id,
            name: d.name,
            aliases: [...d.aliases],
            contact: d.contact,
            webexRoomId: d.webexRoomId ?? '',
            teamsChannel: d.teamsChannel ?? '',
          })),
        }),
    }),
    route({
      method: 'get',
      path: '/slots',
      operationId: 'listSlots',
      summary: 'Free start times',
      tag: 'consultations',
      auth: 'staff',
      query: S.SlotsQuery,
      responses: { 200: { description: 'Free slots', schema: S.SlotList } },
      handle: async ({ query }) => {
        const [slots, closedDays] = await Promise.all([
          freeSlots(deps, { from: query.from, to: query.to, durationMinutes: query.duration, hostId: query.hostId }),
          closedDaysBetween(deps, query.from, query.to),
        ]);
        return json({ slots: must(slots), closedDays });
      },
    }),
    route({
      method: 'post',
      path: '/consultations',
      operationId: 'bookConsultation',
      summary: 'Book a consultation',
      tag: 'consultations',
      auth: 'staff',
      headers: S.IdempotencyHeaders,
      body: S.BookingBody,
      responses: {
        201: { description: 'Booked', schema: S.Consultation },
        409: { description: 'The host is taken at that time: `conflicts` says by what, `nextSlots` what is free', schema: S.ConflictProblem },
      },
      async handle({ body, headers, actor }) {
        const created = must(await bookConsultation(deps, body, actor, headers['Idempotency-Key']));
        return { status: created.status, body: created.consultation, headers: { Location: `/api/v1/consultations/${created.consultation.id}` } };
      },
    }),
    route({
      method: 'get',
      path: '/consultations',
      operationId: 'listConsultations',
      summary: 'Consultations starting between two dates',
      tag: 'consultations',
      auth: 'staff',
      query: S.ListQuery,
      responses: { 200: { description: 'Consultations', schema: S.ConsultationList } },
      async handle({ query }) {
        if (query.to < query.from)
          throw new ProblemError(fieldProblem('query.to', '終了日は開始日以降にしてください。', 'The end date (to) must not be before the start date (from).'));
        return json({ consultations: await listConsultations(db, query.from, query.to) });
      },
    }),
    route({
      method: 'get',
      path: '/consultations/:id',
      operationId: 'getConsultation',
      summary: 'One consultation',
      tag: 'consultations',
      auth: 'staff',
      params: S.IdParams,
      responses: { 200: { description: 'Consultation', schema: S.Consultation }, 404: notFoundAnswer },
      handle: async ({ params }) => json(await consultation(params.id)),
    }),
    route({
      method: 'patch',
      path: '/consultations/:id',
      operationId: 'rescheduleConsultation',
      summary: 'Move a consultation (time, length or host)',
      tag: 'consultations',
      auth: 'staff',
      params: S.IdParams,
      body: S.RescheduleBody,
      responses: {
        200: { description: 'Moved', schema: S.Consultation },
        404: notFoundAnswer,
        409: { description: 'Taken at that time (`conflicts`, `nextSlots`), changed by someone else, or not movable in its state', schema: S.ConflictProblem },
      },
      handle: async ({ params, body, actor }) => json(must(await rescheduleConsultation(deps, params.id, body, actor))),
    }),
    route({
      method: 'post',
      path: '/consultations/:id/cancel',
      operationId: 'cancelConsultation',
      summary: 'Cancel (the citizen is told, an open relay ends)',
      tag: 'consultations',
      auth: 'staff',
      params: S.IdParams,
      body: S.CancelBody,
      bodyOptional: true,
      responses: { 200: { description: 'Cancelled', schema: S.Consultation }, 404: notFoundAnswer, 409: { description: 'Already closed' } },
      handle: async ({ params, body, actor }) => json(must(await cancelConsultation(deps, params.id, body?.reason ?? '', actor))),
    }),
    route({
      method: 'post',
      path: '/consultations/:id/retry',
      operationId: 'retryConsultation',
      summary: 'Try the meeting again after a refusal was fixed ("needs attention" → "booked")',
      tag: 'consultations',
      auth: 'staff',
      params: S.IdParams,
      responses: { 200: { description: 'Retrying', schema: S.Consultation }, 404: notFoundAnswer, 409: { description: 'Not in "needs attention"' } },
      handle: async ({ params, actor }) => json(must(await retryConsultation(deps, params.id, actor))),
    }),
    route({
      method: 'post',
      path: '/consultations/:id/erase',
      operationId: 'eraseConsultationPersonalData',
      summary:
        "Erase the citizen's personal data now (admin), at the citizen's request: name, email and free text; times, department and status stay for the figures. An upcoming consultation must be cancelled first",
      tag: 'consultations',
      auth: 'admin',
      params: S.IdParams,
      responses: {
        200: { description: 'Erased', schema: S.Consultation },
        404: notFoundAnswer,
        409: { description: 'Still ahead (cancel it first), or its cancellation is still being mailed' },
      },
      handle: async ({ params, actor }) => json(must(await eraseOnRequest(deps, params.id, actor))),
    }),
    route({
      method: 'get',
      path: '/consultations/:id/app',
      operationId: 'getConsultationApp',
      summary: 'What the citizen did in the app: step, consents (the exact words shown, entry point), checklist answers and staff checks, survey, relay',
      tag: 'consultations',
      auth: 'staff',
      params: S.IdParams,
      responses: { 200: { description: 'Progress', schema: S.AppProgress }, 404: notFoundAnswer },
      async handle({ params }) {
        const c = await consultation(params.id);
        const s = await readState(db, c, deps.clock());
        // Each consent with the exact words that were shown (kept by their hash).
        const texts = new Map(await Promise.all([...new Set(s.consents.map((x) => x.textVersion))].map(async (h) => [h, await textByHash(db, h)] as const)));
        return json({
          step: s.step,
          consents: s.consents.map((x) => ({ ...x, text: texts.get(x.textVersion)?.items ?? null })),
          checklist: s.answers,
          checklistVersion: s.checklist.hash,
          staffChecked: s.staffChecked,
          survey: s.survey,
          relay: s.relay,
        });
      },
    }),
    route({
      method: 'get',
      path: '/consultations/:id/audit',
      operationId: 'getConsultationAudit',
      summary: 'The audit trail of one consultation',
      tag: 'consultations',
      auth: 'staff',
      params: S.IdParams,
      responses: { 200: { description: 'Entries, oldest first', schema: S.AuditEntries }, 404: notFoundAnswer },
      handle: async ({ params }) => json({ entries: await readAudit(db, 'consultation', (await consultation(params.id)).id) }),
    }),
    route({
      method: 'get',
      path: '/stats',
      operationId: 'getStats',
      summary: 'The figures for a period: consultations, waiting times, relays, length and survey (no personal data)',
      tag: 'figures',
      // Survey comments are the citizens' own words: the figures are for admins, as on /admin/stats.
      auth: 'admin',
      query: S.StatsQuery,
      responses: { 200: { description: 'Figures', schema: S.Stats } },
      async handle({ query }) {
        const period = must(parsePeriod(query, toLocalDate(deps.clock())));
        return json(await figuresFor(db, period));
      },
    }),
    route({
      method: 'get',
      path: '/calendar/exceptions',
      operationId: 'listCalendarExceptions',
      summary: 'Closures and special openings',
      tag: 'calendar',
      auth: 'staff',
      responses: { 200: { description: 'Exceptions', schema: S.CalendarExceptionList } },
      handle: async () => json({ exceptions: (await listCalendarExceptions(db)).map(exceptionView) }),
    }),
    route({
      method: 'post',
      path: '/calendar/exceptions',
      operationId: 'addCalendarException',
      summary: 'Add a closure or special opening (admin)',
      tag: 'calendar',
      auth: 'admin',
      body: ClosureBody,
      responses: {
        201: { description: 'Added, with what was done to the consultations it falls on', schema: S.ClosureAdded },
        409: { description: 'It falls on booked consultations (`consultations`) and the body does not say what to do with them' },
      },
      async handle({ body, actor }) {
        const { consultations: decision, ...exception } = body;
        const added = must(await addClosure(deps, actor, must(parseCalendarException(exception)), decision));
        return json({ ...exceptionView(added.exception), consultations: added.outcomes }, 201);
      },
    }),
    route({
      method: 'delete',
      path: '/calendar/exceptions/:id',
      operationId: 'removeCalendarException',
      summary: 'Remove a closure or special opening (admin)',
      tag: 'calendar',
      auth: 'admin',
      params: S.IdParams,
      responses: { 204: { description: 'Removed' }, 404: notFoundAnswer },
      async handle({ params, actor }) {
        if (!(await removeCalendarException(db, deps.ids, deps.clock(), actor, params.id))) {
          throw new ProblemError(problem('not_found', `休業・開庁設定 ${params.id} は見つかりません。`, `Calendar exception ${params.id} was not found.`));
        }
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: '/tokens',
      operationId: 'listTokens',
      summary: 'API tokens (admin)',
      tag: 'tokens',
      auth: 'admin',
      responses: { 200: { description: 'Tokens (never their values)', schema: S.TokenList } },
      handle: async () => json({ tokens: await listTokens(db) }),
    }),
    route({
      method: 'post',
      path: '/tokens',
      operationId: 'createToken',
      summary: 'Create a staff or admin token (admin); the token is shown once',
      tag: 'tokens',
      auth: 'admin',
      body: S.TokenBody,
      responses: { 201: { description: 'Created', schema: S.IssuedToken } },
      async handle({ body, actor }) {
        const issued = await createToken(db, deps.ids, deps.clock(), { name: body.name, role: body.role }, actor);
        return json({ id: issued.id, name: issued.name, role: issued.role, token: issued.token }, 201);
      },
    }),
    route({
      method: 'delete',
      path: '/tokens/:id',
      operationId: 'revokeToken',
      summary: 'Revoke a token (admin)',
      tag: 'tokens',
      auth: 'admin',
      params: S.IdParams,
      responses: {
        204: { description: 'Revoked' },
        404: notFoundAnswer,
        409: { description: 'The last admin token (no admin account): revoking it would lock everyone out' },
      },
      async handle({ params, actor }) {
        must(await revokeTokenChecked(db, deps.ids, deps.clock(), params.id, actor));
        return { status: 204 };
      },
    }),
  ];
  return routes;
}

/** /api/v1: the table's routes, never cached (answers carry citizens' names and meeting passwords). */
export function apiRouter(deps: ApiDeps): Router {
  const r = express.Router();
  r.use(noStore);
  r.use(mountTable(apiTable(deps), { db: deps.store.db, throttle: deps.throttles.bearer }));
  return r;
}
