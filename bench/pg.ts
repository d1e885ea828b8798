// A PostgreSQL schema of its own for one benchmark run (made before, dropped after), and the URL that puts a server in it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

async function run(databaseUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Runs `use` with the URL of a fresh schema (or null: SQLite), and drops the schema afterwards. */
export async function inBenchSchema<T>(databaseUrl: string | null, use: (schemaUrl: string | null) => Promise<T>): Promise<T> {
  if (!databaseUrl) return use(null);
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  await run(databaseUrl, `create schema ${schema}`);
  try {
    return await use(`${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema},public`)}`);
  } finally {
    await run(databaseUrl, `drop schema if exists ${schema} cascade`);
  }
}
