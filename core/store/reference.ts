// The reference cache: what every booking and slot search reads but admins rarely change (hosts, sites, departments,
// closures, checklists) is kept per process and read again only when the database's reference version moved. That
// version is raised by triggers on those tables (migration 0015), so a change made by another process or instance, or
// by hand in SQL, is seen at the next read: the one query a caller pays is that tiny version read.
import type { Db } from './schema.ts';

interface Entry {
  readonly version: string;
  readonly value: Promise<unknown>;
}

const caches = new WeakMap<Db, Map<string, Entry>>();

const reading = new WeakMap<Db, Promise<string | null>>();

/**
 * The version; reads asked for in the same turn share one (a booking asks for the hosts, the department and the
 * calendar side by side: one round trip, not three). Only the same turn: a read asked for later, after a write of
 * this process committed, must not join one that was sent before that commit.
 */
function currentVersion(db: Db): Promise<string | null> {
  const pending = reading.get(db);
  if (pending) return pending;
  const read = readVersion(db);
  reading.set(db, read);
  queueMicrotask(() => reading.delete(db));
  return read;
}

/** The version, or null before migration 0015 (a migration's own code and its tests read the tables as they are). */
async function readVersion(db: Db): Promise<string | null> {
  try {
    const row = await db.selectFrom('reference_version').select('version').where('id', '=', 1).executeTakeFirst();
    return row ? String(row.version) : null;
  } catch (error) {
    // Only the table not being there yet; any other failure is the caller's (the load would fail the same way).
    const e = error as { code?: string; message?: string };
    if (e.code === '42P01' || /no such table/i.test(e.message ?? '')) return null;
    throw error;
  }
}

/**
 * `load(db)`, from this process's cache when no reference table was written since it was loaded. Inside a transaction
 * it always loads (the transaction may have written what it reads). Callers get their own copy of an array.
 */
export async function referenceData<T>(db: Db, key: string, load: (db: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return load(db);
  const version = await currentVersion(db);
  if (version === null) return load(db);
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let entry = cache.get(key);
  if (!entry || entry.version !== version) {
    // The version read before loading is the one kept: a change committed meanwhile raises it again, so the next read
    // loads once more rather than keeping what it may have missed.
    const value = load(db);
    const kept: Entry = { version, value };
    entry = kept;
    cache.set(key, kept);
    value.catch(() => {
      if (cache.get(key) === kept) cache.delete(key);
    });
  }
  const value = (await entry.value) as T;
  return (Array.isArray(value) ? [...value] : value) as T;
}
