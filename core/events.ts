// App events: "this consultation's in-meeting app state changed", told to every open page (server-sent events).
// On PostgreSQL they cross instances through LISTEN/NOTIFY; on SQLite (one instance) they stay in this process.
// An event carries only the consultation id: each page then reads the state it is allowed to see.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { sql } from 'kysely';
import type { Store } from './store/db.ts';
import type { Logger } from './log.ts';

export const APP_CHANNEL = 'madoguchi_app';
/** The key told when some consultation's state moved on by itself (its meeting was made): the counter pages listen. */
export const CONSULTATIONS_EVENT = 'consultations';
/** "Work was queued": another instance's worker looks now rather than at its next poll. */
export const JOBS_CHANNEL = 'madoguchi_jobs';

export interface AppEvents {
  /** Call after the change is committed. */
  changed(consultationId: string): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(consultationId: string, listener: () => void): () => void;
  /** Outbox work was committed here: tell the other instances (PostgreSQL; nothing to do on SQLite). */
  jobsQueued(): void;
  /** Work was queued on another instance. */
  onJobsQueued(listener: () => void): void;
  close(): Promise<void>;
}

function localEmitter(): EventEmitter {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return emitter;
}

const subscribeOn =
  (emitter: EventEmitter): AppEvents['subscribe'] =>
  (id, listener) => {
    emitter.on(id, listener);
    return () => emitter.off(id, listener);
  };

export function inProcessEvents(): AppEvents {
  const emitter = localEmitter();
  return {
    async changed(id) {
      emitter.emit(id);
    },
    subscribe: subscribeOn(emitter),
    jobsQueued() {
      // One instance: its own worker was woken already.
    },
    onJobsQueued() {
      // Nothing comes from elsewhere.
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/**
 * PostgreSQL: one dedicated connection LISTENs; NOTIFY goes through the store's pool, so it reaches this instance
 * and every other one. A lost listener connection is re-opened with backoff (pages also re-read on reconnect).
 */
export async function postgresEvents(store: Store, databaseUrl: string, log: Logger): Promise<AppEvents> {
  const emitter = localEmitter();
  const jobListeners: Array<() => void> = [];
  let notifying = false;
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = 500;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: databaseUrl, keepAlive: true });
    c.on('notification', (n) => {
      if (n.channel === APP_CHANNEL && n.payload) emitter.emit(n.payload);
      if (n.channel === JOBS_CHANNEL) for (const l of jobListeners) l();
    });
    const lost = (why: string) => {
      if (client !== c) return;
      client = null;
      if (closed) return;
      log.warn({ err: why }, 'app events: listener connection lost; reconnecting');
      void c.end().catch(() => undefined);
      schedule();
    };
    c.on('error', (error) => lost(error.message));
    c.on('end', () => lost('connection ended'));
    try {
      await c.connect();
      await c.query(`listen ${APP_CHANNEL}`);
      await c.query(`listen ${JOBS_CHANNEL}`);
    } catch (error) {
      await c.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await c.end();
      return;
    }
    client = c;
    retryMs = 500;
    // Pages that missed events while the listener was away re-read now.
    for (const name of emitter.eventNames()) emitter.emit(name);
  };
  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect().catch((error: Error) => {
        log.warn({ err: error.message }, 'app events: cannot listen yet');
        retryMs = Math.min(retryMs * 2, 30_000);
        schedule();
      });
    }, retryMs);
    timer.unref();
  };
  await connect();
  // A half-open connection (a NAT or firewall dropping it quietly) is found by a periodic query.
  const ping = setInterval(() => {
    client?.query('select 1').catch(() => undefined);
  }, 60_000);
  ping.unref();
  return {
    async changed(id) {
      // The change is committed already: a lost notice must not fail it (pages re-read within 30 s anyway).
      try {
        await sql`select pg_notify(${APP_CHANNEL}, ${id})`.execute(store.db);
      } catch (error) {
        log.warn({ err: error instanceof Error ? error.message : String(error) }, 'app events: notify failed');
      }
    },
    subscribe: subscribeOn(emitter),
    jobsQueued() {
      // A burst of commits sends one notice; a lost one is covered by the other instances' polling.
      if (notifying) return;
      notifying = true;
      setImmediate(() => {
        notifying = false;
        sql`select pg_notify(${JOBS_CHANNEL}, '')`.execute(store.db).catch(() => undefined);
      });
    },
    onJobsQueued(listener) {
      jobListeners.push(listener);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(ping);
      emitter.removeAllListeners();
      await client?.end().catch(() => undefined);
    },
  };
}

export const createAppEvents = (store: Store, databaseUrl: string | null, log: Logger): Promise<AppEvents> =>
  store.dialect === 'postgres' && databaseUrl ? postgresEvents(store, databaseUrl, log) : Promise.resolve(inProcessEvents());
