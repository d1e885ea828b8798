// The store: Kysely over SQLite (node:sqlite) by default, PostgreSQL (pg) when a DATABASE_URL is given.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Driver, SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Db, Schema } from './schema.ts';
import { migrateToLatest } from './migrations.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Db;
  readonly dialect: DialectName;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** postgres://… ; null means SQLite at sqlitePath. */
  readonly databaseUrl: string | null;
  readonly sqlitePath: string;
  /** PostgreSQL schema to use (tests give each run its own). */
  readonly pgSchema?: string;
  readonly pgPoolSize?: number;
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

function openSqlite(file: string): Kysely<Schema> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const raw = new DatabaseSync(file);
  raw.exec('pragma journal_mode = wal; pragma busy_timeout = 10000; pragma foreign_keys = on; pragma synchronous = normal;');
  return new Kysely<Schema>({ dialect: new ImmediateSqliteDialect(adaptNodeSqlite(raw)) });
}

const PG_TIMESTAMPTZ = 1184;
const PG_TIMESTAMP = 1114;
const PG_INT8 = 20;

function openPostgres(url: string, schema: string | undefined, max: number): Kysely<Schema> {
  const toIso = (v: string) => new Date(v).toISOString();
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === PG_TIMESTAMPTZ) return toIso;
      if (oid === PG_TIMESTAMP) return (v: string) => toIso(`${v}Z`);
      if (oid === PG_INT8) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format as 'text');
    },
  };
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: types as pg.CustomTypesConfig,
    ...(schema ? { options: `-c search_path=${schema},public` } : {}),
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it. Queries in flight report their own errors.
  });
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}

/** Opens the store and applies pending migrations. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const dialect: DialectName = options.databaseUrl ? 'postgres' : 'sqlite';
  const db = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.pgSchema, options.pgPoolSize ?? 10)
    : openSqlite(options.sqlitePath);
  try {
    await migrateToLatest(db, dialect);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect, close: () => db.destroy() };
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

/** PostgreSQL gave up a transaction that may simply be run again (a deadlock, or a serialization failure). */
export function isTransientConflict(error: unknown): boolean {
  const code = (error as DbError)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * Runs a transaction again when PostgreSQL broke a deadlock by aborting it (concurrent bookings of one slot wait on
 * the exclusion constraint while the worker leases rows: PostgreSQL may pick one of them as the victim).
 */
export async function retryTransient<T>(run: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !isTransientConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt + Math.random() * 20));
    }
  }
}
