import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../core/log.ts';
import { startServer } from '../server.ts';
import { testConfig } from './helpers.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

describe('token command line', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'madoguchi-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (...args: string[]) =>
    run(process.execPath, ['cli.ts', 'token', ...args], { cwd: root, env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' } });

  it('creates a staff token that the API accepts, lists and revokes it', async () => {
    const { stdout } = await cli('create', '--name', '税務課 田中', '--role', 'staff');
    const token = stdout.trim().split('\n').at(-1)!;
    const id = /\(id (\w+)\)/.exec(stdout)![1]!;
    assert.match(token, /^mdg_/);
    const server = await startServer(testConfig({ DATA_DIR: dir }), { log: createLogger('silent') });
    try {
      const ok = await fetch(`${server.url}/api/v1/hosts`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      assert.match((await cli('list')).stdout, /税務課 田中/);
      await cli('revoke', id);
      const revoked = await fetch(`${server.url}/api/v1/hosts`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(revoked.status, 401);
    } finally {
      await server.close();
    }
  });

  it('explains a missing name instead of failing silently', async () => {
    await assert.rejects(cli('create'), (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 2);
      assert.match(e.stderr, /--name/);
      return true;
    });
  });
});

describe('Teams package command line', function () {
  this.timeout(30_000);
  it('npm run manifest needs only PUBLIC_BASE_URL and TEAMS_CLIENT_ID (not the Graph credentials), and says what is missing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'madoguchi-manifest-'));
    try {
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dir, PUBLIC_BASE_URL: 'https://madoguchi.city.example.jp' };
      const { stdout } = await run(process.execPath, ['cli.ts', 'manifest'], {
        cwd: root,
        env: { ...env, TEAMS_CLIENT_ID: '11111111-2222-3333-4444-555555555555' },
      });
      assert.match(stdout, /madoguchi-teams\.zip/);
      assert.ok(existsSync(path.join(dir, 'teams', 'madoguchi-teams.zip')));
      await assert.rejects(run(process.execPath, ['cli.ts', 'manifest'], { cwd: root, env }), (e: { code: number; stderr: string }) => {
        assert.equal(e.code, 2);
        assert.match(e.stderr, /TEAMS_CLIENT_ID に Entra アプリ/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
