// Composes the server: the store, the domains' jobs bound to their dependencies, the chat platforms, the outbox
// worker and the HTTP routes. main.ts starts it; tests and the benchmark too.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import express from 'express';
import cookieParser from 'cookie-parser';
import { sql } from 'kysely';
import type { Config } from './core/config.ts';
import type { Logger } from './core/log.ts';
import { logPath } from './core/log.ts';
import type { Store } from './core/store/db.ts';
import { openStore, withStartupLock } from './core/store/db.ts';
import type { IdSource, RandomBytes } from './core/ids.ts';
import { createIdSource } from './core/ids.ts';
import { createProviders } from './core/conferencing/index.ts';
import type { ConferencingProvider, ProviderKind } from './core/conferencing/index.ts';
import { createSecretStore } from './core/secrets.ts';
import { bootstrapAdmin } from './core/auth/tokens.ts';
import type { IssuedToken } from './core/auth/tokens.ts';
import { answerProblemsWith, compressAnswers, notFoundHandler, problemHandler, refuseNulCharacters } from './core/http.ts';
import { problemPage } from './core/web/layout.ts';
import { bindJobs, startWorker } from './core/jobs.ts';
import type { Worker } from './core/jobs.ts';
import { ensureScheduled } from './core/outbox.ts';
import type { ChatPlatforms } from './core/chat.ts';
import { createAppEvents } from './core/events.ts';
import type { AppEvents } from './core/events.ts';
import { prepareLinkKey } from './core/links.ts';
import { securityHeaders } from './core/security.ts';
import { createThrottles } from './core/throttle.ts';
import type { Throttles } from './core/throttle.ts';
import { staffAssetsRouter, staffScript } from './core/web/assets.ts';
import { createMailTransport } from './templates/mail.ts';
import type { MailTransport } from './templates/mail.ts';
import { ensureConfiguredHosts } from './scheduler/hosts.ts';
import { departmentsWithoutContact, listDepartments, seedDepartments } from './scheduler/departments.ts';
import type { SchedulerDeps } from './scheduler/consultations.ts';
import type { ConsultationHooks } from './scheduler/lifecycle.ts';
import { PERSONAL_DATA_PURGE, SCHEDULER_JOBS } from './scheduler/jobs.ts';
import { STATUS_JA, closeRelaysOf, meetingReadyFor, openRelayOf } from './relay/store.ts';
import { RELAY_JOBS } from './relay/jobs.ts';
import { APP_STATE_JOBS } from './embedded-app/state/jobs.ts';
import { REPORT_JOBS, planWeeklySummary } from './reports/weekly.ts';
import { APP_PURGE } from './embedded-app/state/job-kinds.ts';
import { surveyAnswered } from './embedded-app/state/index.ts';
import { apiRouter } from './api/routes.ts';
import { pagesRouter } from './pages/index.ts';
import { adminRouter } from './admin/index.ts';
import { createChats } from './bot/index.ts';
import { COUNTER_SCRIPTS, counterRouter } from './counter/index.ts';
import type { Mount } from './bot/adapter.ts';
import { appProblemPage, appRouter } from './embedded-app/index.ts';
import { appAssets } from './embedded-app/assets.ts';

export interface AppDeps extends SchedulerDeps {
  readonly log: Logger;
  /** For the admin page's "send a test to me". */
  readonly mail: MailTransport;
  /** Failed sign-ins and tokens, counted to slow guessing. */
  readonly throttles: Throttles;
}

/** The HTTP routes. `mounts`: where the chat platforms take their deliveries (a raw one before the JSON parser). */
export function createApp(deps: AppDeps, mounts: ReadonlyArray<Mount> = []): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETag: answers with personal data are no-store anyway, and hashing a year of slots (3 MB) cost more than it saved.
  app.set('etag', false);
  app.set('trust proxy', deps.config.trustProxy);
  app.use(securityHeaders(deps.config.publicBaseUrl));
  app.use(compressAnswers());
  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      deps.log.info({ method: req.method, path: logPath(req.originalUrl), status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    });
    next();
  });
  // Cookies are read once, here; a malformed one arrives as it was sent (never an error).
  app.use(cookieParser());
  // How each surface shows a problem, set before anything can refuse a request: a page where people read pages,
  // problem+json elsewhere (the API, the webhooks).
  app.use('/admin', answerProblemsWith(problemPage));
  app.use('/app', answerProblemsWith(appProblemPage(deps.config)));
  app.use(['/counter', '/board'], answerProblemsWith(problemPage));
  for (const m of mounts) if (m.problems) app.use(m.path, answerProblemsWith(m.problems));
  for (const m of mounts.filter((x) => x.raw)) app.use(m.path, m.router);
  app.use(express.json({ limit: '100kb' }));
  app.use(refuseNulCharacters);

  app.get('/healthz', async (_req, res) => {
    try {
      await sql`select 1`.execute(deps.store.db);
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'error', database: 'unreachable' });
    }
  });
  app.use('/assets', staffAssetsRouter([staffScript, ...COUNTER_SCRIPTS]));
  app.use('/api/v1', apiRouter(deps));
  app.use('/admin', adminRouter(deps));
  for (const m of mounts.filter((x) => !x.raw)) app.use(m.path, m.router);
  app.use('/app', appRouter(deps));
  app.use(counterRouter(deps));
  app.use(pagesRouter(deps));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}

export interface RunningServer {
  readonly url: string;
  readonly store: Store;
  readonly worker: Worker;
  /** In-meeting app events (the bot and other in-process callers pass them on). */
  readonly events: AppEvents;
  /** The admin token made on this start, if one was made (print it once, unless the operator supplied it). */
  readonly bootstrapToken: IssuedToken | null;
  /** Departments no citizen could be told whom to call (no contact of their own and no CITY_CONTACT). */
  readonly departmentsWithoutContact: ReadonlyArray<string>;
  /** What the routes were given (tests drive the bot and the domains with exactly these). */
  readonly deps: AppDeps;
  /** Where the jobs tell staff things. */
  readonly chat: ChatPlatforms;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly log: Logger;
  readonly ids?: IdSource;
  readonly random?: RandomBytes;
  readonly clock?: () => number;
  readonly pgSchema?: string;
  readonly providers?: Partial<Record<ProviderKind, ConferencingProvider>>;
  /** How often the outbox worker looks for due work besides being woken (default 5 s). */
  readonly workerPollMs?: number;
  /** Where mail goes (default: SMTP_URL, or .eml files in $DATA_DIR/outbox). */
  readonly mail?: MailTransport;
  /** Where staff are told things (default: the chat platforms configured). */
  readonly chat?: ChatPlatforms;
  /** Job lease and heartbeat (default 15 s and 5 s); tests shorten them to see a lease outlive a long job. */
  readonly jobLeases?: { readonly leaseMs: number; readonly heartbeatMs: number };
  /** Guess throttling (default: counted in the store); tests that send many bad tokens on purpose may turn it off. */
  readonly throttles?: Throttles;
}

/** What the consultation domain asks of the relay above it: an open relay ends with its consultation, and holds its end. */
const relayHooks = (ids: IdSource, config: Config): ConsultationHooks => ({
  closed: (trx, consultationId, now, actor) => closeRelaysOf(trx, { ids, lamp: config.lamp !== null }, consultationId, now, actor),
  meetingReady: (trx, consultationId, now) => meetingReadyFor(trx, { ids }, consultationId, now),
  surveyAnswered,
  busy: async (db, consultationId) => {
    const open = await openRelayOf(db, consultationId);
    return open ? STATUS_JA[open.status] : null;
  },
});

export async function startServer(config: Config, options: StartOptions): Promise<RunningServer> {
  const ids = options.ids ?? createIdSource();
  const clock = options.clock ?? Date.now;
  const log = options.log;
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    sqlitePath: config.sqlitePath,
    ...(options.pgSchema ? { pgSchema: options.pgSchema } : {}),
  });
  let worker: Worker | null = null;
  let events: AppEvents | null = null;
  try {
    const now = clock();
    // Instances started together take turns here, so that hosts, departments and the first admin are made once.
    const { hostChanges, bootstrapToken } = await withStartupLock(store, async (db) => {
      const hostChanges = await ensureConfiguredHosts(db, ids, now, config);
      await seedDepartments(db, ids, now);
      const bootstrapToken = await bootstrapAdmin(db, ids, now, config.bootstrapAdminToken);
      await prepareLinkKey(db, config.secretKey);
      await ensureScheduled(db, ids, now, APP_PURGE, {});
      await ensureScheduled(db, ids, now, PERSONAL_DATA_PURGE, {});
      await planWeeklySummary(db, ids, now, config);
      return { hostChanges, bootstrapToken };
    });
    for (const h of hostChanges.added) log.info({ hostId: h.id, provider: h.provider }, 'host added from configuration');
    for (const h of hostChanges.retired) log.info({ hostId: h.id }, 'dry-run host retired: a real provider is configured');
    // Mails and pages tell citizens whom to call: say at start which departments have no contact to give.
    const noContact = departmentsWithoutContact(await listDepartments(store.db), config.city);
    if (noContact.length > 0) {
      log.warn(
        { departments: noContact.map((d) => d.name), realMail: !!config.mail.smtpUrl },
        config.mail.smtpUrl
          ? 'departments without a contact (phone and hours) cannot be booked: enter one in /admin/departments or set CITY_CONTACT'
          : 'departments without a contact (phone and hours): enter one in /admin/departments or set CITY_CONTACT before real mail is sent',
      );
    }
    for (const h of hostChanges.keptDryRun) {
      log.warn({ hostId: h.id }, 'dry-run host kept: consultations are still booked on it; move them to the real host or cancel them, then retire it');
    }

    const mail = options.mail ?? createMailTransport(config);
    const random = options.random ?? randomBytes;
    const secrets = config.secretKey ? createSecretStore(store.db, config.secretKey, clock) : null;
    const providers = { ...(await createProviders({ config, ids, random, secrets, clock })), ...options.providers };
    events = await createAppEvents(store, config.databaseUrl, log);
    const hooks = relayHooks(ids, config);
    const appDeps: AppDeps = { store, config, ids, clock, log, mail, events, hooks, throttles: options.throttles ?? createThrottles(store) };
    const chats = await createChats({
      ...appDeps,
      policy: { webexDomains: config.webexBot?.allowedDomains ?? [], teamsTenant: config.teams?.tenantId ?? null },
    });
    const chat = options.chat ?? chats.platforms;

    // Each domain's jobs, bound to what it needs; one worker in this process runs them all.
    const jobs = [
      ...bindJobs(SCHEDULER_JOBS, { store, ids, clock, log, config, mail, providers, chat, hooks, events }),
      ...bindJobs(RELAY_JOBS, { store, ids, clock, log, config, chat, events }),
      ...bindJobs(APP_STATE_JOBS, { store, ids, clock, log, config, chat }),
      ...bindJobs(REPORT_JOBS, { store, ids, clock, log, config, mail }),
    ];
    const started = startWorker({ store, jobs, clock, log, ...(options.jobLeases ? { leases: options.jobLeases } : {}) }, options.workerPollMs);
    worker = started;
    // Woken at once by work queued here (at its commit) and, on PostgreSQL, by work another instance queued.
    const appEvents = events;
    store.onOutboxWrite(() => {
      started.wake();
      appEvents.jobsQueued();
    });
    appEvents.onJobsQueued(() => started.wake());

    // The in-meeting app's pages are built in the background: /healthz answers before they are.
    void appAssets().catch((error: unknown) =>
      log.error({ err: error instanceof Error ? error.message : String(error) }, 'in-meeting app assets could not be built'),
    );
    const app = createApp(appDeps, chats.mounts);
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(config.port, config.bindAddress, (error?: Error) => (error ? reject(error) : resolve(s)));
    });
    const port = (server.address() as AddressInfo).port;
    const url = config.port === 0 ? `http://127.0.0.1:${port}` : config.publicBaseUrl;
    return {
      url,
      store,
      worker: started,
      events: appEvents,
      bootstrapToken,
      departmentsWithoutContact: noContact.map((d) => d.name),
      deps: appDeps,
      chat,
      async close() {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await started.stop();
        await appEvents.close();
        await store.close();
      },
    };
  } catch (error) {
    await worker?.stop();
    await events?.close();
    await store.close();
    throw error;
  }
}
