// /api/v1: the booking API. Each route parses with zod, calls the scheduler, and passes failures to the problem handler.
import { readState } from '../embedded-app/state.ts';
import { textByHash } from '../embedded-app/content-store.ts';
import express from 'express';
import type { Router } from 'express';
import { must, parseInput, principalOf, requireToken } from '../core/http.ts';
import { addHostOnce, hostOfAccount, listHosts, retireHost, upcomingOnHost } from '../core/hosts.ts';
import { listDepartments } from '../core/departments.ts';
import { readAudit, writeAudit } from '../core/audit.ts';
import { fieldProblem, problem, ProblemError } from '../core/errors.ts';
import { issueToken, listTokens, revokeToken } from '../core/auth/tokens.ts';
import { formatMinute } from '../core/time.ts';
import type { SchedulerDeps } from './consultations.ts';
import {
  bookConsultation,
  cancelConsultation,
  retryConsultation,
  freeSlots,
  getConsultation,
  listConsultations,
  notFound,
  rescheduleConsultation,
} from './consultations.ts';
import { addCalendarException, listCalendarExceptions, parseCalendarException, removeCalendarException } from './calendar-store.ts';
import * as S from './schemas.ts';
import type { Throttles } from '../core/throttle.ts';
import { noStore } from '../core/security.ts';
import { eraseOnRequest } from './personal-data.ts';
import { openApiDocument } from './openapi.ts';

function exceptionView(e: Awaited<ReturnType<typeof listCalendarExceptions>>[number]) {
  return {
    id: e.id!,
    kind: e.kind,
    startDate: e.startDate,
    endDate: e.endDate,
    startTime: e.startMinute === null ? null : formatMinute(e.startMinute),
    endTime: e.endMinute === null ? null : formatMinute(e.endMinute),
    note: e.note,
  };
}

export function apiRouter(deps: SchedulerDeps & { readonly throttles: Throttles }): Router {
  const { db } = deps.store;
  const r = express.Router();
  // Answers carry citizens' names and meeting passwords: never cached.
  r.use(noStore);
  const staff = requireToken(db, undefined, deps.throttles.bearer);
  const admin = requireToken(db, 'admin', deps.throttles.bearer);
  const idOf = (req: express.Request) => String(req.params.id);
  const actorOf = (req: express.Request) => {
    const p = principalOf(req);
    return `token:${p.tokenId}:${p.name}`;
  };

  r.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(deps.config.publicBaseUrl));
  });

  r.get('/hosts', staff, async (_req, res) => {
    const hosts = await listHosts(db);
    res.json({ hosts: hosts.map((h) => ({ id: h.id, displayName: h.displayName, provider: h.provider })) });
  });

  r.post('/hosts', admin, async (req, res) => {
    const b = must(parseInput(S.HostBody, req.body ?? {}, ''));
    const now = deps.clock();
    const host = await addHostOnce(db, deps.ids, now, b);
    if (!host) {
      const existing = await hostOfAccount(db, b.provider, b.account);
      throw new ProblemError(
        problem(
          'conflict',
          `このアカウント（${b.provider}: ${b.account}）はすでにホスト「${existing?.displayName ?? ''}」として登録されています。`,
          `That account is already registered as host ${existing?.id ?? ''}.`,
          {
            extra: { hostId: existing?.id ?? null },
          },
        ),
      );
    }
    await writeAudit(db, deps.ids, now, { actor: actorOf(req), action: 'host.added', entity: 'host', entityId: host.id, before: null, after: host });
    res.status(201).json({ id: host.id, displayName: host.displayName, provider: host.provider });
  });

  r.delete('/hosts/:id', admin, async (req, res) => {
    const id = idOf(req);
    const now = deps.clock();
    const upcoming = await upcomingOnHost(db, id, now);
    if (upcoming.length > 0) {
      throw new ProblemError(
        problem(
          'invalid_state',
          `このホストにはこれからの相談が${upcoming.length}件あります。先に別のホストへ移すか取り消してください。`,
          `This host still has ${upcoming.length} upcoming consultation(s); move or cancel them first.`,
          {
            extra: { consultations: upcoming.map((c) => c.id) },
          },
        ),
      );
    }
    if (!(await retireHost(db, id, now))) throw new ProblemError(problem('not_found', `ホスト ${id} は見つかりません。`, `Host ${id} was not found.`));
    await writeAudit(db, deps.ids, now, {
      actor: actorOf(req),
      action: 'host.retired',
      entity: 'host',
      entityId: id,
      before: null,
      after: { retiredAt: new Date(now).toISOString() },
    });
    res.status(204).end();
  });

  r.get('/departments', staff, async (_req, res) => {
    res.json({ departments: await listDepartments(db) });
  });

  r.get('/slots', staff, async (req, res) => {
    const q = must(parseInput(S.SlotsQuery, req.query, 'query'));
    const slots = must(await freeSlots(deps, { from: q.from, to: q.to, durationMinutes: q.duration, hostId: q.hostId }));
    res.json({ slots });
  });

  r.post('/consultations', staff, async (req, res) => {
    const key = req.get('idempotency-key');
    const idempotencyKey = key === undefined ? undefined : must(parseInput(S.IdempotencyKey, key, 'Idempotency-Key'));
    const body = must(parseInput(S.BookingBody, req.body ?? {}, ''));
    const created = must(await bookConsultation(deps, body, actorOf(req), idempotencyKey));
    res.status(created.status).location(`/api/v1/consultations/${created.consultation.id}`).json(created.consultation);
  });

  r.get('/consultations', staff, async (req, res) => {
    const q = must(parseInput(S.ListQuery, req.query, 'query'));
    if (q.to < q.from) throw new ProblemError(fieldProblem('query.to', '終了日は開始日以降にしてください。', '"to" must not be before "from".'));
    res.json({ consultations: await listConsultations(deps, q.from, q.to) });
  });

  r.get('/consultations/:id', staff, async (req, res) => {
    const c = await getConsultation(deps, idOf(req));
    if (!c) throw new ProblemError(notFound(idOf(req)));
    res.json(c);
  });

  r.get('/consultations/:id/audit', staff, async (req, res) => {
    const c = await getConsultation(deps, idOf(req));
    if (!c) throw new ProblemError(notFound(idOf(req)));
    res.json({ entries: await readAudit(db, 'consultation', c.id) });
  });

  // What the citizen has done in the app: the step they are on, each consent given or refused (with the text version),
  // the document checklist and the survey.
  r.get('/consultations/:id/app', staff, async (req, res) => {
    const c = await getConsultation(deps, idOf(req));
    if (!c) throw new ProblemError(notFound(idOf(req)));
    const s = await readState(db, c, deps.clock());
    // Each consent with the exact words that were shown (kept by their hash).
    const texts = new Map(await Promise.all([...new Set(s.consents.map((x) => x.textVersion))].map(async (h) => [h, await textByHash(db, h)] as const)));
    res.json({
      step: s.step,
      consents: s.consents.map((x) => ({ ...x, text: texts.get(x.textVersion)?.items ?? null })),
      checklist: s.answers,
      checklistVersion: s.checklist.hash,
      staffChecked: s.staffChecked,
      survey: s.survey,
      relay: s.relay,
    });
  });

  r.patch('/consultations/:id', staff, async (req, res) => {
    const body = must(parseInput(S.RescheduleBody, req.body ?? {}, ''));
    res.json(must(await rescheduleConsultation(deps, idOf(req), body, actorOf(req))));
  });

  r.post('/consultations/:id/cancel', staff, async (req, res) => {
    const body = must(parseInput(S.CancelBody, req.body ?? {}, ''));
    res.json(must(await cancelConsultation(deps, idOf(req), body.reason ?? '', actorOf(req))));
  });

  r.post('/consultations/:id/retry', staff, async (req, res) => {
    res.json(must(await retryConsultation(deps, idOf(req), actorOf(req))));
  });

  // A citizen asked for their data to be deleted: name, email and free text go now (admin; audited).
  r.post('/consultations/:id/erase', admin, async (req, res) => {
    res.json(must(await eraseOnRequest(deps, idOf(req), actorOf(req))));
  });

  r.get('/calendar/exceptions', staff, async (_req, res) => {
    res.json({ exceptions: (await listCalendarExceptions(db)).map(exceptionView) });
  });

  r.post('/calendar/exceptions', admin, async (req, res) => {
    const exception = must(parseCalendarException(must(parseInput(S.CalendarExceptionBody, req.body ?? {}, ''))));
    const created = await addCalendarException(db, deps.ids, deps.clock(), actorOf(req), exception);
    res.status(201).json(exceptionView(created));
  });

  r.delete('/calendar/exceptions/:id', admin, async (req, res) => {
    const removed = await removeCalendarException(db, deps.ids, deps.clock(), actorOf(req), idOf(req));
    if (!removed)
      throw new ProblemError(problem('not_found', `休業・開庁設定 ${req.params.id} は見つかりません。`, `Calendar exception ${req.params.id} was not found.`));
    res.status(204).end();
  });

  r.get('/tokens', admin, async (_req, res) => {
    res.json({ tokens: await listTokens(db) });
  });

  r.post('/tokens', admin, async (req, res) => {
    const b = must(parseInput(S.TokenBody, req.body ?? {}, ''));
    const issued = await issueToken(db, deps.ids, deps.clock(), { name: b.name, role: b.role, createdBy: actorOf(req) });
    res.status(201).json(issued);
  });

  r.delete('/tokens/:id', admin, async (req, res) => {
    if (!(await revokeToken(db, idOf(req), deps.clock()))) {
      throw new ProblemError(
        problem('not_found', `トークン ${req.params.id} は見つからないか、すでに無効です。`, `Token ${req.params.id} was not found or is already revoked.`),
      );
    }
    res.status(204).end();
  });

  return r;
}
