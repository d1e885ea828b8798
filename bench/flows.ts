// The two moments staff wait for, for `npm run bench`, each beside its floor measured in the same run:
// - from a `/relay` being answered to the department's alert leaving through the chat port (target p99 ≤ 200 ms);
// - from a booking's 201 to the consultation being meeting_ready in dry run (target p99 ≤ 300 ms);
// - from a walk-in `/call` being answered to the call on the department's board (SSE) and its alert in chat (target
//   p99 ≤ 300 ms) and to its meeting being ready (target p99 ≤ 500 ms); 4 branches × 20 calls at once, none lost or
//   alerted twice;
// and the server's start (process start to /healthz answering) with nothing configured (target < 1 s).
// The server runs in this process with its production composition; only the chat platform is a recording stand-in.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { inBenchSchema } from './pg.ts';
import { START_ARGS, freePort } from './bookings.ts';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/log.ts';
import type { ChatPlatform } from '../core/chat.ts';
import { startServer } from '../server.ts';
import { handleMessage } from '../bot/index.ts';
import type { Sender } from '../bot/index.ts';
import { localInstant } from '../core/time.ts';

const TOKEN = 'bench-admin-token-0123456789abcdef';
const ROOT = path.resolve(import.meta.dirname, '..');
const RELAYS = Number(process.env.BENCH_RELAYS ?? 50);
const READY = Number(process.env.BENCH_READY ?? 100);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(1).padStart(7)} ms`;
const line = (name: string, what: string, xs: number[], target: string, floor: string) => {
  const s = [...xs].sort((a, b) => a - b);
  process.stdout.write(`${name.padEnd(10)} ${what.padEnd(44)} p50 ${ms(pct(s, 50))}  p99 ${ms(pct(s, 99))}  (${target}; floor ${floor})\n`);
};

/** Spawns a process and waits until http://127.0.0.1:port/healthz answers 200; returns the milliseconds from spawn. */
async function timeToHealthy(args: string[], env: NodeJS.ProcessEnv, port: number): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      if (child.exitCode !== null) resolve();
      else child.kill('SIGTERM');
    });
  }
}

/** `npm start`'s node command with nothing configured (a fresh data folder each time) beside a bare HTTP server's process. */
export async function benchStart(): Promise<void> {
  const runs = 5;
  const server: number[] = [];
  const bare: number[] = [];
  const bareServer = `require('node:http').createServer((q, s) => s.end('ok')).listen(${'process.env.PORT'}, '127.0.0.1')`;
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'madoguchi-bench-start-'));
    try {
      const port = await freePort();
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), BIND_ADDRESS: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'silent' };
      server.push(await timeToHealthy(START_ARGS, env, port));
      const barePort = await freePort();
      bare.push(await timeToHealthy(['-e', bareServer], { PATH: process.env.PATH, PORT: String(barePort) }, barePort));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  server.sort((a, b) => a - b);
  bare.sort((a, b) => a - b);
  process.stdout.write(
    `start      process start → /healthz, nothing configured (first start, ${runs} runs): median ${ms(server[2]!)}  max ${ms(server.at(-1)!)}  (target < 1 s; floor: a bare node HTTP server ${ms(bare[2]!)})\n`,
  );
}

/** A chat platform that only notes when each post leaves through it. */
function recordingChat(onDepartmentPost: (text: string, at: number) => void): ChatPlatform {
  let n = 0;
  return {
    kind: 'console',
    postToDepartment: async (_d, m) => {
      onDepartmentPost(m.text, performance.now());
      return `bench-${++n}`;
    },
    sendToStaff: async () => `bench-${++n}`,
    remove: async () => undefined,
  };
}

/** Reads a server-sent event stream, calling `onState` with each state's data, until `stop` is called. */
async function followEvents(url: string, cookie: string, onState: (data: string, at: number) => void): Promise<() => void> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { cookie }, signal: abort.signal });
  if (!res.ok || !res.body) throw new Error(`${url}: ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const event = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (/^event: state$/m.test(event) && data) onState(data, performance.now());
        }
      }
    } catch {
      // stopped
    }
  })();
  return () => abort.abort();
}

type Api = (method: string, p: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> | null }>;

/**
 * Walk-ins from four branches: `/call` answered → the call on the department's board (SSE) and its alert in chat
 * (target p99 ≤ 300 ms), and → the meeting ready in dry run (target p99 ≤ 500 ms); then 4 branches × 20 calls in
 * parallel, where no call may be lost or alerted twice.
 */
async function walkIns(
  name: string,
  server: Awaited<ReturnType<typeof startServer>>,
  api: Api,
  waiting: Map<string, (at: number) => void>,
  tripFloor: string,
): Promise<void> {
  const db = server.store.db;
  const branches: Sender[] = [];
  for (let b = 0; b < 4; b++) {
    const site = await api('POST', '/sites', { name: `ベンチ支所${b + 1}` });
    await api('POST', '/hosts', { displayName: `支所${b + 1} 窓口`, provider: 'dryrun', account: `bench-branch-${b}`, siteId: site.body!.id });
    const staff: Sender = { platform: 'console', userId: `bench-branch-${b}`, displayName: `支所${b + 1} 職員` };
    await handleMessage(server.deps, staff, `/site ベンチ支所${b + 1}`);
    branches.push(staff);
  }
  const tax = (await db.selectFrom('departments').select('id').where('name', '=', '税務課').executeTakeFirstOrThrow()).id;
  const device = await api('POST', '/devices', { name: 'ベンチ ボード', role: 'board', scope: tax });
  const login = await fetch(`${server.url}/board/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: String(device.body!.token) }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const onBoard = new Map<string, (at: number) => void>();
  const stop = await followEvents(`${server.url}/board/events`, cookie, (data, at) => {
    for (const [marker, done] of onBoard) if (data.includes(marker)) done(at);
  });
  const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<null>((r) => setTimeout(() => r(null), ms))]);

  const toBoard: number[] = [];
  const toChat: number[] = [];
  const toMeeting: number[] = [];
  try {
    // The first call of each branch warms the code paths up (not measured).
    for (let i = -branches.length; i < 40; i++) {
      const branch = branches[(i + branches.length) % branches.length]!;
      const marker = `bench-call-${i}.`;
      const board = new Promise<number>((resolve) => onBoard.set(marker, resolve));
      const chat = new Promise<number>((resolve) => waiting.set(marker, resolve));
      const reply = await handleMessage(server.deps, branch, `/call 税務 ${marker} !`);
      const answered = performance.now();
      const id = /来庁者 #([0-9A-Z]+)/.exec(reply.text)?.[1];
      if (!id) throw new Error(`walk-in refused: ${reply.text}`);
      for (;;) {
        const row = await db.selectFrom('consultations').select('status').where('id', '=', id).executeTakeFirstOrThrow();
        if (row.status === 'in_progress') break;
        await new Promise((res) => setTimeout(res, 1));
      }
      const meetingAt = performance.now();
      // The post may leave before the answer is back to the caller (both follow the commit): that counts as 0.
      const chatAt = (await within(chat, 5000)) ?? Number.POSITIVE_INFINITY;
      const boardAt = (await within(board, 5000)) ?? Number.POSITIVE_INFINITY;
      if (i >= 0) {
        toMeeting.push(meetingAt - answered);
        toChat.push(Math.max(0, chatAt - answered));
        toBoard.push(Math.max(0, boardAt - answered));
      }
      onBoard.delete(marker);
      waiting.delete(marker);
      await handleMessage(server.deps, branch, '/done');
    }
  } finally {
    stop();
  }
  line(name, `/call answered → on the board (SSE, ${toBoard.length})`, toBoard, 'target p99 ≤ 300 ms', tripFloor);
  line(name, `/call answered → alert leaves the chat port (${toChat.length})`, toChat, 'target p99 ≤ 300 ms', tripFloor);
  line(name, `/call answered → meeting ready, in progress (dry run)`, toMeeting, 'target p99 ≤ 500 ms', tripFloor);

  // 4 branches × 20 calls at once: every call alerted exactly once.
  const before = new Set((await db.selectFrom('relays').select('id').execute()).map((r) => r.id));
  const alerted: number[] = [];
  let refused = 0;
  await Promise.all(
    branches.map(async (branch, b) => {
      for (let i = 0; i < 20; i++) {
        const marker = `bench-burst-${b}-${i}.`;
        const chat = new Promise<number>((resolve) => waiting.set(marker, resolve));
        const reply = await handleMessage(server.deps, branch, `/call 税務 ${marker} !`);
        const answered = performance.now();
        if (!/来庁者 #/.test(reply.text)) {
          refused++;
          continue;
        }
        alerted.push(Math.max(0, ((await within(chat, 5000)) ?? Number.POSITIVE_INFINITY) - answered));
        waiting.delete(marker);
        await handleMessage(server.deps, branch, '/done');
      }
    }),
  );
  await server.worker.idle();
  const burst = (await db.selectFrom('relays').select('id').execute()).map((r) => r.id).filter((id) => !before.has(id));
  const posts = await db
    .selectFrom('chat_messages')
    .select(['relay_id'])
    .where('purpose', '=', 'alert')
    .where('relay_id', 'in', burst.length > 0 ? burst : [''])
    .execute();
  const perRelay = new Map<string, number>();
  for (const p of posts) perRelay.set(p.relay_id!, (perRelay.get(p.relay_id!) ?? 0) + 1);
  const lost = burst.filter((id) => !perRelay.has(id)).length;
  const twice = [...perRelay.values()].filter((n) => n > 1).length;
  line(name, `4 branches × 20 calls at once → alert (${alerted.length})`, alerted, 'target p99 ≤ 300 ms', tripFloor);
  process.stdout.write(
    `${name.padEnd(10)} 4 branches × 20 calls at once: ${burst.length} calls, ${refused} refused, ${lost} not alerted, ${twice} alerted twice (target: 80, 0, 0, 0)\n`,
  );
}

export function benchFlows(name: string, databaseUrl: string | null): Promise<void> {
  return inBenchSchema(databaseUrl, (schemaUrl) => flows(name, schemaUrl));
}

async function flows(name: string, databaseUrl: string | null): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'madoguchi-bench-flows-'));
  const config = loadConfig({
    PORT: '0',
    BIND_ADDRESS: '127.0.0.1',
    DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    BOOTSTRAP_ADMIN_TOKEN: TOKEN,
    MIN_NOTICE_MINUTES: '0',
    HORIZON_DAYS: '366',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  // The day of the relays: a Monday ahead, its clock running from 08:00 in real time.
  const day = '2027-03-01';
  const started = performance.now();
  // Moved forward (never back) to just before each relayed consultation: a relay is for one happening now.
  let ahead = 0;
  const clock = () => localInstant(day, 8 * 60) + (performance.now() - started) + ahead;
  const waiting = new Map<string, (at: number) => void>();
  const chat = recordingChat((text, at) => {
    for (const [id, done] of waiting) if (text.includes(id)) done(at);
  });
  const server = await startServer(config, { log: createLogger('silent'), clock, chat: { console: chat } });
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api/v1${p}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  };
  try {
    // Floors on this server: a bare round trip (GET /healthz), and a direct insert of one booking's rows.
    const trip: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await (await fetch(`${server.url}/healthz`)).arrayBuffer();
      trip.push(performance.now() - t0);
    }
    trip.sort((a, b) => a - b);
    const tripFloor = `GET /healthz p50 ${pct(trip, 50).toFixed(1)} ms`;

    // Booking 201 → meeting_ready (dry run), one at a time, watched every millisecond.
    const hosts = 5;
    for (let h = 1; h < hosts; h++) await api('POST', '/hosts', { displayName: `PC ${h + 1}`, provider: 'dryrun', account: `bench-${h}` });
    const ready: number[] = [];
    const db = server.store.db;
    for (let i = 0; i < READY; i++) {
      const date = new Date(Date.parse(`${day}T00:00:00Z`) + (7 + Math.floor(i / 10)) * 86_400_000).toISOString().slice(0, 10);
      const minute = 9 * 60 + (i % 10) * 45;
      const start = `${date}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00+09:00`;
      const r = await api('POST', '/consultations', {
        start,
        durationMinutes: 30,
        department: '税務課',
        citizen: { name: `市民${i}`, email: `c${i}@example.jp` },
      });
      const t0 = performance.now();
      if (r.status !== 201) continue;
      const id = String(r.body!.id);
      for (;;) {
        const row = await db.selectFrom('consultations').select('status').where('id', '=', id).executeTakeFirstOrThrow();
        if (row.status !== 'booked') break;
        await new Promise((res) => setTimeout(res, 1));
      }
      ready.push(performance.now() - t0);
    }
    const insertFloor: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('outbox')
          .values({
            id: `floor-${i}-${randomBytes(3).toString('hex')}`,
            kind: 'bench.floor',
            consultation_id: null,
            payload: '{}',
            status: 'done',
            run_after: new Date().toISOString(),
            locked_until: null,
            last_error: '',
            created_at: new Date().toISOString(),
            done_at: new Date().toISOString(),
          })
          .execute();
      });
      insertFloor.push(performance.now() - t0);
    }
    insertFloor.sort((a, b) => a - b);
    line(
      name,
      `booking 201 → meeting_ready (${ready.length}, dry run)`,
      ready,
      'target p99 ≤ 300 ms',
      `${tripFloor}, one committed insert ${pct(insertFloor, 50).toFixed(1)} ms`,
    );

    // /relay answered → the department's alert leaves through the chat port.
    const reception: Sender = { platform: 'console', userId: 'bench-reception', displayName: '受付 山本' };
    const tax: Sender = { platform: 'console', userId: 'bench-tax', displayName: '税務 田中' };
    await handleMessage(server.deps, tax, '/duty on 税務');
    const today: Array<{ id: string; start: number }> = [];
    for (let i = 0; today.length < RELAYS && i < 200; i++) {
      const h = Math.floor(i / hosts);
      const minute = 8 * 60 + 30 + h * 30;
      if (minute + 15 > 17 * 60 + 15) break;
      const start = `${day}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00+09:00`;
      const r = await api('POST', '/consultations', {
        start,
        durationMinutes: 15,
        department: '総合窓口課',
        citizen: { name: `市民${i}`, email: `r${i}@example.jp` },
      });
      if (r.status === 201) today.push({ id: String(r.body!.id), start: Date.parse(start) });
    }
    await server.worker.idle();
    const relay: number[] = [];
    for (const { id, start } of today) {
      ahead += Math.max(0, start - 10 * 60_000 - clock());
      await server.worker.idle();
      const left = new Promise<number>((resolve) => waiting.set(id, resolve));
      const reply = await handleMessage(server.deps, reception, `/relay 税務 #${id}`);
      const answered = performance.now();
      if (!/呼び出しました/.test(reply.text)) throw new Error(`relay refused: ${reply.text}`);
      // The worker may post before the answer is back to the caller (both follow the commit): that counts as 0.
      relay.push(Math.max(0, (await left) - answered));
      waiting.delete(id);
    }
    line(name, `/relay answered → alert leaves the chat port (${relay.length})`, relay, 'target p99 ≤ 200 ms', tripFloor);

    await walkIns(name, server, api, waiting, tripFloor);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
