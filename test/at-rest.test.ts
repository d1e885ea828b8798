// Secrets and personal data at rest: the link-signing key sealed under SECRET_KEY, data files the owner's only, the
// operator's own admin token never printed back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../core/log.ts';
import { LinkKeyError, checkLink, citizenLink, linkKey } from '../core/links.ts';
import { startServer } from '../server.ts';
import { ADMIN_TOKEN, TEST_NOW, booking, startTestServer, testConfig } from './helpers.ts';

const root = path.resolve(import.meta.dirname, '..');
const KEY = randomBytes(32).toString('base64');

/** Runs `npm start` (node start.mjs → main.ts) until it prints its banner or exits; returns what it said. */
function runMain(env: Record<string, string>): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['start.mjs'], {
      cwd: root,
      env: { ...process.env, PORT: '0', BIND_ADDRESS: '127.0.0.1', LOG_LEVEL: 'silent', DATABASE_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (/madoguchi is running[\s\S]*\n\n$/.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

describe('secrets and data at rest', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const dataDir = () => {
    const d = path.join(mkdtempSync(path.join(tmpdir(), 'madoguchi-rest-')), 'var');
    dirs.push(path.dirname(d));
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('with SECRET_KEY the link-signing key is stored sealed, and the links it signs work', async () => {
    const s = await startTestServer('sqlite', { SECRET_KEY: KEY });
    try {
      const row = await s.running.store.db.selectFrom('app_keys').select('value').where('name', '=', 'link').executeTakeFirstOrThrow();
      assert.match(row.value, /^sealed:/);
      const key = await linkKey(s.running.store.db, s.config.secretKey);
      assert.ok(!row.value.includes(key.toString('base64url')), 'the key itself is not in the store');
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      const page = await fetch(citizenLink(s.url, key, c.id, Date.parse(c.end)));
      assert.equal(page.status, 200);
      await assert.rejects(linkKey(s.running.store.db, null), LinkKeyError);
    } finally {
      await s.close();
    }
  });

  it('a key kept in the clear from before SECRET_KEY is sealed at the next start, and links already sent keep working', async () => {
    const dir = dataDir();
    const first = await startServer(testConfig({ DATA_DIR: dir }), { log: createLogger('silent'), clock: () => TEST_NOW });
    const before = await linkKey(first.store.db, null);
    await first.close();
    const second = await startServer(testConfig({ DATA_DIR: dir, SECRET_KEY: KEY }), { log: createLogger('silent'), clock: () => TEST_NOW });
    try {
      const row = await second.store.db.selectFrom('app_keys').select('value').where('name', '=', 'link').executeTakeFirstOrThrow();
      assert.match(row.value, /^sealed:/);
      const after = await linkKey(second.store.db, Buffer.from(KEY, 'base64'));
      assert.ok(after.equals(before), 'the same key, now sealed');
      const token = citizenLink('', before, 'K7M2Q9XA', TEST_NOW + 86_400_000)
        .split('/')
        .at(-1)!;
      assert.equal(checkLink(after, token, TEST_NOW).ok, true);
    } finally {
      await second.close();
    }
    // Started again without the key it was sealed with: stops with a plain message, not a stack trace.
    const run = await runMain({ DATA_DIR: dir });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /SECRET_KEY で暗号化されています/);
    assert.match(run.stderr, /set the SECRET_KEY it was sealed with/);
  });

  it('the database, its journal and the mail outbox are the owner’s only, even in a folder that was open before', async () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    const s = await startServer(testConfig({ DATA_DIR: dir }), { log: createLogger('silent'), clock: () => TEST_NOW, workerPollMs: 60_000 });
    try {
      await fetch(`${s.url}/api/v1/consultations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(booking()),
      });
      await s.worker.idle();
      assert.equal(statSync(dir).mode & 0o777, 0o700, 'data folder');
      for (const f of ['madoguchi.db', 'madoguchi.db-wal', 'madoguchi.db-shm']) {
        const p = path.join(dir, f);
        if (existsSync(p)) assert.equal(statSync(p).mode & 0o777, 0o600, f);
      }
      assert.ok(existsSync(path.join(dir, 'madoguchi.db-wal')), 'the journal exists (and was checked)');
      assert.equal(statSync(path.join(dir, 'outbox')).mode & 0o777, 0o700, 'outbox folder');
    } finally {
      await s.close();
    }
  });

  it('a BOOTSTRAP_ADMIN_TOKEN the operator gave is not printed back; one made by the server is printed once', async () => {
    const supplied = 'operator-chosen-admin-token-4f9c2a7e';
    const own = await runMain({ DATA_DIR: dataDir(), BOOTSTRAP_ADMIN_TOKEN: supplied });
    assert.match(own.stdout, /madoguchi is running/);
    assert.ok(!own.stdout.includes(supplied), 'not echoed');
    assert.match(own.stdout, /BOOTSTRAP_ADMIN_TOKEN の値を登録しました/);
    const made = await runMain({ DATA_DIR: dataDir(), BOOTSTRAP_ADMIN_TOKEN: '' });
    assert.match(made.stdout, /Admin API token \(shown only this once/);
    assert.match(made.stdout, /mdg_[A-Za-z0-9_-]{43}/);
    // The banner's example books the next free hour from now (no README date that has passed), with that token.
    const token = /mdg_[A-Za-z0-9_-]{43}/.exec(made.stdout)![0];
    assert.ok(made.stdout.includes(`TOKEN=${token}`));
    const body = JSON.parse(/-d '(\{[^']+\})'/.exec(made.stdout)![1]!) as Record<string, unknown>;
    assert.ok(Date.parse(String(body.start)) > Date.now(), `${String(body.start)} is still to come`);
    const s = await startTestServer('sqlite');
    try {
      s.clock.now = Date.now();
      const booked = await s.call('POST', '/api/v1/consultations', body);
      assert.equal(booked.status, 201, JSON.stringify(booked.body));
    } finally {
      await s.close();
    }
  });
});
