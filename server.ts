// Composes the server: store, providers, the outbox worker and the HTTP routes. main.ts starts it; tests and the benchmark too.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import cookieParser from 'cookie-parser';
import { sql } from 'kysely';
import type { Config } from './core/config.ts';
import type { Logger } from './core/log.ts';
import { logPath } from './core/log.ts';
import type { Store } from './core/store/db.ts';
import { openStore, withStartupLock } from './core/store/db.ts';
import type { IdSource } from './core/ids.ts';
import { createIdSource } from './core/ids.ts';
import { createProviders } from './core/conferencing/index.ts';
import type { ConferencingProvider, ProviderKind } from './core/conferencing/index.ts';
import { ensureConfiguredHosts } from './core/hosts.ts';
import { createSecretStore } from './core/secrets.ts';
import type { RandomBytes } from './core/ids.ts';
import { randomBytes } from 'node:crypto';
import { seedDepartments } from './core/departments.ts';
import { bootstrapAdmin } from './core/auth/tokens.ts';
import type { IssuedToken } from './core/auth/tokens.ts';
import { notFoundHandler, problemHandler } from './core/http.ts';
import { apiRouter } from './scheduler/routes.ts';
import { startWorker } from './scheduler/jobs/run.ts';
import type { Worker } from './scheduler/jobs/run.ts';
import type { SchedulerDeps } from './scheduler/consultations.ts';
import { pagesRouter } from './scheduler/pages.ts';
import { adminRouter } from './admin/index.ts';
import { createChatPlatforms } from './bot/index.ts';
import { consoleRouter } from './bot/console.ts';
import { appRouter } from './embedded-app/index.ts';
import { webexClientFor, webexWebhookRouter } from './bot/webex/index.ts';
import { mountTeamsBot } from './bot/teams/index.ts';
import type { ChatPlatform } from './bot/chat.ts';
import type { ChatPlatformKind } from './bot/staff.ts';
import { createMailTransport } from './templates/mail.ts';
import { createAppEvents } from './core/events.ts';
import type { AppEvents } from './core/events.ts';
import { appAssets } from './embedded-app/assets.ts';
import { schedulePurge } from './embedded-app/retention.ts';
import type { MailTransport } from './templates/mail.ts';
import { prepareLinkKey } from './core/links.ts';
import { securityHeaders } from './core/security.ts';
import { createThrottles } from './core/throttle.ts';
import type { Throttles } from './core/throttle.ts';

export interface AppDeps extends SchedulerDeps {
  readonly log: Logger;
  /** For the admin page's "send a test to me". */
  readonly mail: MailTransport;
  /** Failed sign-ins and tokens, counted to slow guessing. */
  readonly throttles: Throttles;
}

export function createApp(deps: AppDeps, teamsRouter?: express.Router): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders(deps.config.publicBaseUrl));
  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      deps.log.info({ method: req.method, path: logPath(req.originalUrl), status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    });
    next();
  });
  // Cookies are read once, here; a malformed one arrives as it was sent (never an error).
  app.use(cookieParser());
  // The Webex webhook needs the raw bytes to check the signature: mounted before the JSON parser.
  if (deps.config.webexBot) {
    app.use('/webhooks/webex', webexWebhookRouter({ ...deps, webexBot: deps.config.webexBot, client: webexClientFor(deps.config.webexBot) }, deps.log));
  }
  app.use(express.json({ limit: '100kb' }));

  app.get('/healthz', async (_req, res) => {
    try {
      await sql`select 1`.execute(deps.store.db);
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'error', database: 'unreachable' });
    }
  });
  app.use('/api/v1', apiRouter(deps));
  app.use('/admin', adminRouter(deps));
  app.use('/console', consoleRouter(deps));
  app.use('/app', appRouter(deps));
  // /api/messages for the Teams bot: its SDK registers the route here once initialized (see startServer).
  if (teamsRouter) app.use(teamsRouter);
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
  /** The admin token made on this start, if one was made (print it once). */
  readonly bootstrapToken: IssuedToken | null;
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
  /** Where relay alerts go (default: from the configuration). */
  readonly chat?: Partial<Record<ChatPlatformKind, ChatPlatform>>;
  /** Job lease and heartbeat (default 15 s and 5 s); tests shorten them to see a lease outlive a long job. */
  readonly jobLeases?: { readonly leaseMs: number; readonly heartbeatMs: number };
  /** Guess throttling (default: counted in the store); tests that send many bad tokens on purpose may turn it off. */
  readonly throttles?: Throttles;
}

export async function startServer(config: Config, options: StartOptions): Promise<RunningServer> {
  const ids = options.ids ?? createIdSource();
  const clock = options.clock ?? Date.now;
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    sqlitePath: config.sqlitePath,
    ...(options.pgSchema ? { pgSchema: options.pgSchema } : {}),
  });
  let worker: Worker | null = null;
  try {
    const now = clock();
    // Instances started together take turns here, so that hosts, departments and the first admin are made once.
    const startup = await withStartupLock(store, async (db) => {
      const hostChanges = await ensureConfiguredHosts(db, ids, now, config);
      await seedDepartments(db, ids, now);
      const bootstrapToken = await bootstrapAdmin(db, ids, now, config.bootstrapAdminToken);
      await prepareLinkKey(db, config.secretKey);
      await schedulePurge(db, ids, now);
      return { hostChanges, bootstrapToken };
    });
    const { hostChanges, bootstrapToken } = startup;
    for (const h of hostChanges.added) options.log.info({ hostId: h.id, provider: h.provider }, 'host added from configuration');
    for (const h of hostChanges.retired) options.log.info({ hostId: h.id }, 'dry-run host retired: a real provider is configured');
    for (const h of hostChanges.keptDryRun) {
      options.log.warn({ hostId: h.id }, 'dry-run host kept: consultations are still booked on it; move them to the real host or cancel them, then retire it');
    }

    const mail = options.mail ?? createMailTransport(config);
    const random = options.random ?? randomBytes;
    const secrets = config.secretKey ? createSecretStore(store.db, config.secretKey, clock) : null;
    const providers = { ...createProviders({ config, ids, random, secrets, clock }), ...options.providers };
    const chat = options.chat ?? (await createChatPlatforms(config, options.log));
    // The outbox worker runs in this process: woken at once by a commit here, and looking every few seconds for work
    // another instance left (or a job whose instance died: its lease runs out).
    worker = startWorker(
      { store, ids, clock, log: options.log, providers, config, mail, chat, ...(options.jobLeases ? { leases: options.jobLeases } : {}) },
      options.workerPollMs,
    );
    return await listen(config, options, store, worker, ids, clock, mail, bootstrapToken);
  } catch (error) {
    await worker?.stop();
    await store.close();
    throw error;
  }
}

async function listen(
  config: Config,
  options: StartOptions,
  store: Store,
  worker: Worker,
  ids: IdSource,
  clock: () => number,
  mail: MailTransport,
  bootstrapToken: IssuedToken | null,
): Promise<RunningServer> {
  const events = await createAppEvents(store, config.databaseUrl, options.log);
  await appAssets();
  const appDeps = {
    store,
    config,
    ids,
    clock,
    log: options.log,
    mail,
    events,
    throttles: options.throttles ?? createThrottles(store),
    onQueued: () => worker.wake(),
  };
  const teamsRouter = config.teams ? express.Router() : undefined;
  const app = createApp(appDeps, teamsRouter);
  if (config.teams && teamsRouter) await mountTeamsBot(teamsRouter, config.teams, appDeps, options.log);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.bindAddress, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const port = (server.address() as AddressInfo).port;
  const url = config.port === 0 ? `http://127.0.0.1:${port}` : config.publicBaseUrl;
  return {
    url,
    store,
    worker,
    events,
    bootstrapToken,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await worker.stop();
      await events.close();
      await store.close();
    },
  };
}
