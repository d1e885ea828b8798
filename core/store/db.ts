// The store: Kysely over SQLite (node:sqlite) by default, PostgreSQL (pg) when a DATABASE_URL is given.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import { CompiledQuery, Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, SqliteDriver, sql } from 'kysely';
import type { CompiledQuery as Compiled, DatabaseConnection, Dialect, Driver, QueryResult, SqliteDatabase, TransactionSettings } from 'kysely';
import pg from 'pg';
import type { DialectName, Db, Schema } from './schema.ts';
import { migrateToLatest } from './migrations.ts';
import { DB_RETRY, backoffMs } from '../backoff.ts';

export interface Store {
  readonly db: Db;
  readonly dialect: DialectName;
  /** The PostgreSQL pool (for libraries that keep their own rows, such as the throttles); null on SQLite. */
  readonly pgPool: pg.Pool | null;
  /**
   * Called right after a write to the outbox is committed (at the COMMIT of its transaction, or at once outside one):
   * the worker of this process wakes without waiting for its next look. Returns the unsubscribe function.
   */
  onOutboxWrite(listener: () => void): () => void;
  close(): Promise<void>;
}

/** The outbox's rows are written with this statement (Kysely's own SQL, on both dialects). */
const OUTBOX_INSERT = /^\s*insert\s+into\s+"outbox"/i;

interface Watched {
  readonly inner: DatabaseConnection;
  inTransaction: boolean;
  wroteOutbox: boolean;
}

/**
 * A driver that notices outbox inserts: it tells `committed` once the transaction that made them commits (never on a
 * rollback), so that nothing has to remember to wake the worker after a change that queued work.
 */
class OutboxWatchingDriver implements Driver {
  readonly #inner: Driver;
  readonly #committed: () => void;
  readonly #state = new WeakMap<DatabaseConnection, Watched>();
  constructor(inner: Driver, committed: () => void) {
    this.#inner = inner;
    this.#committed = committed;
  }
  init(): Promise<void> {
    return this.#inner.init();
  }
  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await this.#inner.acquireConnection();
    const state: Watched = { inner, inTransaction: false, wroteOutbox: false };
    const wrapped: DatabaseConnection = {
      executeQuery: async <R>(q: Compiled): Promise<QueryResult<R>> => {
        const r = await inner.executeQuery<R>(q);
        if (OUTBOX_INSERT.test(q.sql)) {
          if (state.inTransaction) state.wroteOutbox = true;
          else this.#committed();
        }
        return r;
      },
      streamQuery: <R>(q: Compiled, chunkSize: number) => inner.streamQuery<R>(q, chunkSize),
    };
    this.#state.set(wrapped, state);
    return wrapped;
  }
  #of(c: DatabaseConnection): Watched {
    return this.#state.get(c) ?? { inner: c, inTransaction: false, wroteOutbox: false };
  }
  async beginTransaction(c: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const s = this.#of(c);
    await this.#inner.beginTransaction(s.inner, settings);
    s.inTransaction = true;
    s.wroteOutbox = false;
  }
  async commitTransaction(c: DatabaseConnection): Promise<void> {
    const s = this.#of(c);
    await this.#inner.commitTransaction(s.inner);
    s.inTransaction = false;
    if (s.wroteOutbox) {
      s.wroteOutbox = false;
      this.#committed();
    }
  }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    const s = this.#of(c);
    s.inTransaction = false;
    s.wroteOutbox = false;
    await this.#inner.rollbackTransaction(s.inner);
  }
  releaseConnection(c: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(this.#of(c).inner);
  }
}

function watching(dialect: Dialect, committed: () => void): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new OutboxWatchingDriver(dialect.createDriver(), committed),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

export interface StoreOptions {
  /** postgres://… ; null means SQLite at sqlitePath. */
  readonly databaseUrl: string | null;
  readonly sqlitePath: string;
  /** PostgreSQL schema to use (tests give each run its own). */
  readonly pgSchema?: string;
  readonly pgPoolSize?: number;
  /** Apply pending migrations on opening (default); a migration's own test starts from an older state. */
  readonly migrate?: boolean;
}

/** A SQLite write transaction takes the write lock at BEGIN, so a check and an insert inside it cannot interleave with another writer. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  constructor(database: SqliteDatabase) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
}

/** node:sqlite's DatabaseSync, in the shape Kysely's SQLite driver expects; statements are prepared once. */
function adaptNodeSqlite(db: DatabaseSync): SqliteDatabase {
  const statements = new Map<string, { stmt: StatementSync; reader: boolean }>();
  const prepare = (sql: string) => {
    let entry = statements.get(sql);
    if (!entry) {
      const stmt = db.prepare(sql);
      entry = { stmt, reader: stmt.columns().length > 0 };
      if (statements.size > 500) statements.clear();
      statements.set(sql, entry);
    }
    return entry;
  };
  type Param = null | number | bigint | string | NodeJS.ArrayBufferView;
  const params = (p: ReadonlyArray<unknown>) => p as Param[];
  return {
    close: () => db.close(),
    prepare(sql) {
      const { stmt, reader } = prepare(sql);
      return {
        reader,
        all: (p) => stmt.all(...params(p)),
        run: (p) => {
          const r = stmt.run(...params(p));
          return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
        },
        iterate: (p) => stmt.iterate(...params(p)),
      };
    },
  };
}

/**
 * The database holds citizens' names and emails: its folder (DATA_DIR) is the owner's only (0700, made so at every
 * start when this user owns it, so an older or hand-made folder is closed too) and the file, with the -wal and -shm
 * files SQLite makes with the same permissions, is readable by the owner only (0600).
 */
function privateFile(file: string): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const folder = statSync(dir);
  if (folder.uid === process.getuid?.() && (folder.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

function openSqlite(file: string, committed: () => void): Kysely<Schema> {
  if (file !== ':memory:') privateFile(file);
  const raw = new DatabaseSync(file);
  // secure_delete: what is deleted or overwritten (erased personal data) is zeroed in the file, not left in free space.
  raw.exec('pragma journal_mode = wal; pragma busy_timeout = 10000; pragma foreign_keys = on; pragma synchronous = normal; pragma secure_delete = on;');
  return new Kysely<Schema>({ dialect: watching(new ImmediateSqliteDialect(adaptNodeSqlite(raw)), committed) });
}

const PG_TIMESTAMPTZ = 1184;
const PG_TIMESTAMP = 1114;
const PG_INT8 = 20;

/** How long a statement may wait for a row or table lock before it gives up (and the request is retried or told to come back). */
const LOCK_TIMEOUT_MS = 10_000;

function openPostgres(url: string, schema: string | undefined, max: number, committed: () => void): { db: Kysely<Schema>; pool: pg.Pool } {
  const toIso = (v: string) => new Date(v).toISOString();
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === PG_TIMESTAMPTZ) return toIso;
      if (oid === PG_TIMESTAMP) return (v: string) => toIso(`${v}Z`);
      if (oid === PG_INT8) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format as 'text');
    },
  };
  // No request waits forever: not for a connection from the pool, not for a lock, not on a transaction left open.
  // Options given in the URL (?options=-c search_path=…) are kept, with ours after them.
  const parsed = new URL(url);
  const fromUrl = parsed.searchParams.get('options') ?? '';
  parsed.searchParams.delete('options');
  const options = [
    fromUrl,
    ...(schema ? [`-c search_path=${schema},public`] : []),
    `-c lock_timeout=${LOCK_TIMEOUT_MS}`,
    '-c idle_in_transaction_session_timeout=60000',
  ]
    .filter(Boolean)
    .join(' ');
  const pool = new pg.Pool({ connectionString: parsed.toString(), max, types: types as pg.CustomTypesConfig, options, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries in flight report their own errors.
  });
  return { db: new Kysely<Schema>({ dialect: watching(new PostgresDialect({ pool }), committed) }), pool };
}

/** Opens the store and applies pending migrations. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const dialect: DialectName = options.databaseUrl ? 'postgres' : 'sqlite';
  const listeners = new Set<() => void>();
  const committed = () => {
    for (const l of listeners) l();
  };
  const pgStore = options.databaseUrl ? openPostgres(options.databaseUrl, options.pgSchema, options.pgPoolSize ?? 10, committed) : null;
  const db = pgStore ? pgStore.db : openSqlite(options.sqlitePath, committed);
  try {
    if (options.migrate !== false) await migrateToLatest(db, dialect);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    db,
    dialect,
    pgPool: pgStore?.pool ?? null,
    onOutboxWrite(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => db.destroy(),
  };
}

/**
 * After personal data was erased: on SQLite the write-ahead log still holds the old pages until a checkpoint, so one
 * is run now and the log truncated. (PostgreSQL's autovacuum reclaims the old row versions in its own time.)
 */
export async function flushErased(store: Pick<Store, 'db' | 'dialect'>): Promise<void> {
  if (store.dialect === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
}

/**
 * Holds a lock named `key` (per schema) until the transaction ends, so that transactions about one thing take turns
 * instead of deadlocking on it and retrying (PostgreSQL: an advisory lock; SQLite's write lock already makes writers
 * take turns).
 */
export async function lockUntilCommit(trx: Db, key: string): Promise<void> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter)
    await sql`select pg_advisory_xact_lock(hashtext(${`madoguchi:${key}:`} || current_schema()))`.execute(trx);
}

/**
 * Runs start-up work (seeding hosts, departments, the first admin) one instance at a time, in one transaction: on
 * PostgreSQL under an advisory lock for this schema, on SQLite under its write lock. Instances started together on an
 * empty database then agree on what exists.
 */
export async function withStartupLock<T>(store: Store, work: (db: Db) => Promise<T>): Promise<T> {
  return retryTransient(() =>
    store.db.transaction().execute(async (trx) => {
      await lockUntilCommit(trx, 'startup');
      return work(trx);
    }),
  );
}

interface DbError {
  code?: string;
  errcode?: number;
  message?: string;
  constraint?: string;
}

/** A write refused because it would double-book a host (PostgreSQL exclusion constraint or SQLite trigger). */
export function isOverlapViolation(error: unknown): boolean {
  const e = error as DbError;
  return e?.code === '23P01' || (typeof e?.message === 'string' && e.message.includes('consultation_overlap'));
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as DbError;
  return e?.code === '23505' || (typeof e?.message === 'string' && /UNIQUE constraint failed|PRIMARY KEY constraint failed/.test(e.message));
}

/**
 * The database gave up a transaction that may simply be run again: a PostgreSQL deadlock, serialization failure or
 * lock wait past lock_timeout, or SQLite still busy after its busy timeout.
 */
export function isTransientConflict(error: unknown): boolean {
  const e = error as DbError;
  return e?.code === '40P01' || e?.code === '40001' || e?.code === '55P03' || (e?.code === 'ERR_SQLITE_ERROR' && (e.errcode === 5 || e.errcode === 6));
}

/** The database stayed contended past the retry budget, or gave no connection in time: the caller should come back. */
export class DatabaseBusy extends Error {
  /** Seconds after which another try is likely to work. */
  readonly retryAfterSeconds: number;
  constructor(cause: unknown, retryAfterSeconds = 2) {
    super('the database is busy; try again shortly', { cause });
    this.name = 'DatabaseBusy';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** No connection in time, or the server went away: the request cannot be served now (a 503, not a 500). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseBusy) return true;
  const e = error as DbError;
  return (
    (typeof e?.message === 'string' && /timeout exceeded when trying to connect|Connection terminated/i.test(e.message)) ||
    e?.code === 'ECONNREFUSED' ||
    e?.code === '57P01' ||
    e?.code === '57P03'
  );
}

export interface RetryOptions {
  /** How long to keep trying in all (default 10 s). */
  readonly budgetMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * Runs a transaction again while the database aborts it to break a deadlock or a lock wait (concurrent bookings of
 * one slot wait on the exclusion constraint while the worker leases rows: PostgreSQL may pick any of them as the
 * victim). Bounded by time, not by a count: past the budget it throws DatabaseBusy (a 503 with Retry-After).
 */
export async function retryTransient<T>(run: () => Promise<T>, o: RetryOptions = {}): Promise<T> {
  const now = o.now ?? performance.now.bind(performance);
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const budget = o.budgetMs ?? 10_000;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!isTransientConflict(error)) throw error;
      const left = budget - (now() - started);
      if (left <= 0) throw new DatabaseBusy(error);
      await sleep(Math.min(left, backoffMs(attempt, DB_RETRY, o.random)));
    }
  }
}
