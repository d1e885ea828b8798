// Test support: a real server on SQLite and (with TEST_DATABASE_URL) on PostgreSQL, each in its own file or schema.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../core/config.ts';
import type { Config } from '../core/config.ts';
import { createLogger } from '../core/log.ts';
import { openStore } from '../core/store/db.ts';
import type { Store } from '../core/store/db.ts';
import { localInstant } from '../core/time.ts';
import { startServer } from '../server.ts';
import type { RunningServer, StartOptions } from '../server.ts';

export const PG_URL = process.env.TEST_DATABASE_URL || null;

export type DbKind = 'sqlite' | 'postgres';

/** The databases every store test runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const DATABASES: DbKind[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** 'YYYY-MM-DD', 'HH:MM' in Tokyo → epoch ms. */
export function jst(date: string, hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return localInstant(date, h! * 60 + m!);
}

/** Tuesday 2026-11-24 09:00 JST: a fixed "now" so the tests do not depend on today's date. */
export const TEST_NOW = jst('2026-11-24', '09:00');

export interface TestClock {
  now: number;
}

export interface Place {
  readonly env: Record<string, string>;
  readonly pgSchema?: string;
  cleanup(): Promise<void>;
}

/** A fresh, empty database: a temporary SQLite file or a new PostgreSQL schema. */
export async function freshPlace(kind: DbKind): Promise<Place> {
  const dir = mkdtempSync(path.join(tmpdir(), 'madoguchi-test-'));
  if (kind === 'sqlite') {
    return { env: { DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_URL! });
  await client.connect();
  await client.query('create extension if not exists btree_gist');
  await client.query(`create schema ${schema}`);
  await client.end();
  return {
    env: { DATA_DIR: dir, DATABASE_URL: PG_URL! },
    pgSchema: schema,
    async cleanup() {
      const c = new pg.Client({ connectionString: PG_URL! });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testConfig(env: Record<string, string>): Config {
  return loadConfig({ PORT: '0', BIND_ADDRESS: '127.0.0.1', LOG_LEVEL: 'silent', BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN, ...env });
}

export async function openTestStore(kind: DbKind): Promise<{ store: Store; place: Place }> {
  const place = await freshPlace(kind);
  const config = testConfig(place.env);
  const store = await openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}) });
  return { store, place };
}

export interface TestServer {
  readonly url: string;
  readonly running: RunningServer;
  readonly clock: TestClock;
  readonly config: Config;
  /** The PostgreSQL schema of this server's database (to start a second instance on it). */
  readonly pgSchema?: string;
  /** fetch with the admin token (or another), JSON in and out. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestServer(kind: DbKind, env: Record<string, string> = {}, options: Partial<StartOptions> = {}): Promise<TestServer> {
  const place = await freshPlace(kind);
  const config = testConfig({ ...place.env, ...env });
  const clock: TestClock = { now: TEST_NOW };
  const running = await startServer(config, {
    log: createLogger('silent'),
    clock: () => clock.now,
    workerPollMs: 60_000,
    ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}),
    ...options,
  });
  const call: TestServer['call'] = async (method, p, body, headers = {}) => {
    const res = await fetch(`${running.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (an HTML page)
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    url: running.url,
    running,
    clock,
    config,
    ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}),
    call,
    async close() {
      await running.close();
      await place.cleanup();
    },
  };
}

export function booking(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    start: '2026-12-01T10:00:00+09:00',
    durationMinutes: 60,
    department: '税務課',
    citizen: { name: '山田太郎', email: 'yamada@example.jp' },
    topic: '固定資産税について',
    ...over,
  };
}

/** What the bot's handlers need, from a test server: exactly what its routes were given (with the test's clock). */
export function botDeps(s: TestServer) {
  return s.running.deps;
}

export const FORM = 'application/x-www-form-urlencoded';

/** Posts the sign-in form from a fresh sign-in page (its cookie and token), as a browser would. */
export async function postSignIn(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  const login = await fetch(`${url}/admin/login`);
  const loginCookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const loginCsrf = /name="login_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
  return fetch(`${url}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': FORM, cookie: loginCookie, ...headers },
    body: new URLSearchParams({ login_csrf: loginCsrf, ...fields }),
  });
}

/** The session cookie and CSRF token of an admin signed in with the admin token, as a browser would get them. */
export async function signIn(url: string, token = ADMIN_TOKEN): Promise<{ cookie: string; csrf: string; value: string }> {
  const res = await postSignIn(url, { token });
  assert.equal(res.status, 303);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c?.startsWith('madoguchi_admin='))!;
  const page = await (await fetch(`${url}/admin/templates`, { headers: { cookie } })).text();
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)![1]!, value: cookie.split('=')[1]! };
}

/**
 * A fresh server for each test of the enclosing describe (closed after it): `let s; serverForEachTest('sqlite', (x) => (s = x));`.
 * `once` starts one for the whole block instead.
 */
export function serverForEachTest(
  kind: DbKind,
  set: (s: TestServer) => void,
  o: { env?: Record<string, string>; options?: Partial<StartOptions>; once?: boolean } = {},
): void {
  let current: TestServer | undefined;
  (o.once ? before : beforeEach)(async () => {
    current = await startTestServer(kind, o.env ?? {}, o.options ?? {});
    set(current);
  });
  (o.once ? after : afterEach)(async () => {
    await current?.close();
    current = undefined;
  });
}
