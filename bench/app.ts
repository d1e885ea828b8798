// In-meeting app figures for `npm run bench`: bytes shipped per entry point (gzipped: the page, our JS, our CSS; the
// Webex SDK apart, loaded only inside Webex), and time to the first usable screen in Chromium under a slow-4G
// profile (DevTools/Lighthouse "Slow 4G": 562.5 ms latency, 1.47 Mbit/s down, 675 kbit/s up; CPU 4× slower), cold cache.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { loadConfig } from '../core/config.ts';
import { createLogger } from '../core/log.ts';
import { startServer } from '../server.ts';
import { appAssets, ENTRIES } from '../embedded-app/assets.ts';
import { citizenLink, linkKey } from '../core/links.ts';

const TOKEN = 'bench-admin-token-0123456789abcdef';
const SLOW_4G = { offline: false, latency: 562.5, downloadThroughput: (1474.56 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 };
const kb = (n: number) => `${(n / 1024).toFixed(1).padStart(6)} KB`;

export async function benchApp(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'madoguchi-bench-app-'));
  const config = loadConfig({ PORT: '0', BIND_ADDRESS: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'silent', BOOTSTRAP_ADMIN_TOKEN: TOKEN });
  const server = await startServer(config, { log: createLogger('silent') });
  try {
    let booked: { id: string; end: string } | null = null;
    for (let d = 3; d < 20 && !booked; d++) {
      const day = new Date(Date.now() + 9 * 3_600_000 + d * 86_400_000).toISOString().slice(0, 10);
      const res = await fetch(`${server.url}/api/v1/consultations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          start: `${day}T10:00:00+09:00`,
          durationMinutes: 30,
          department: '税務課',
          citizen: { name: '見本 太郎', email: 'bench@example.jp' },
        }),
      });
      if (res.status === 201) booked = (await res.json()) as { id: string; end: string };
    }
    if (!booked) throw new Error('could not book a consultation for the app benchmark');
    const link = citizenLink(server.url, await linkKey(server.store.db, config.secretKey), booked.id, Date.parse(booked.end));
    const assets = await appAssets();
    const pages: Record<string, string> = {
      citizen: link,
      staff: '',
      webex: `${server.url}/app/webex`,
      teams: `${server.url}/app/teams`,
      'teams-config': `${server.url}/app/teams/config`,
    };
    process.stdout.write('app        bytes shipped per entry point (gzip): page + our JS + our CSS = total\n');
    for (const e of ENTRIES) {
      const html = pages[e] ? gzipSync(Buffer.from(await (await fetch(pages[e])).text())).length : 0;
      const s = assets.shipped[e];
      process.stdout.write(
        `app          ${e.padEnd(13)} ${pages[e] ? kb(html) : '      —  '} + ${kb(s.js)} + ${kb(s.css)} = ${kb(html + s.total)}${e === 'citizen' ? '  (budget 50 KB of JS+CSS)' : ''}\n`,
      );
    }
    process.stdout.write(`app          Webex SDK     ${kb(assets.webexSdkGzip)}  (loaded only inside Webex)\n`);

    const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
    if (!existsSync(executablePath)) {
      process.stdout.write(`app        first usable screen: skipped (no Chromium at ${executablePath})\n`);
      return;
    }
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
    try {
      const cases: Array<[string, string, (p: import('playwright-core').Page) => Promise<void>]> = [
        ['citizen welcome', link, (p) => p.getByRole('link', { name: '次へ' }).waitFor()],
        ['citizen consent', `${link}/consent`, (p) => p.getByRole('button', { name: '同意します' }).waitFor()],
        ['webex entry (standalone)', `${server.url}/app/webex`, (p) => p.getByText('この画面は Webex の会議の中で使います。').waitFor()],
      ];
      process.stdout.write('app        first usable screen, Chromium, slow 4G + 4× CPU, cold cache (median of 3):\n');
      for (const [name, url, ready] of cases) {
        const times: number[] = [];
        for (let i = 0; i < 3; i++) {
          const context = await browser.newContext({ viewport: { width: 375, height: 667 } });
          const page = await context.newPage();
          const cdp = await context.newCDPSession(page);
          await cdp.send('Network.enable');
          await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
          await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
          const t0 = performance.now();
          await page.goto(url, { waitUntil: 'commit' });
          await ready(page);
          await page.waitForLoadState('load');
          times.push(performance.now() - t0);
          await context.close();
        }
        times.sort((a, b) => a - b);
        process.stdout.write(`app          ${name.padEnd(26)} ${times[1]!.toFixed(0).padStart(6)} ms\n`);
      }
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
