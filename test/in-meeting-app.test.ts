// The in-meeting app end to end, in Chromium: the staff view live while the citizen answers; staff move the citizen,
// check documents and relay; the Webex embedded app through the real SDK in a stand-in Webex host; the standalone
// fallback; the Teams mapping; refusals; accessibility (axe) and screenshots of every step at 375×667.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { describeInChromium, noSeriousViolations, signInAsAdmin } from './browser.ts';
import { ADMIN_TOKEN, DATABASES, TEST_NOW, booking, botDeps, jst, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';
import { openInWebexHost, webexCalls } from './webex-host.ts';
import { openInTeamsHost, teamsCalls } from './teams-host.ts';
import { citizenLink, linkKey, signStaffLink } from '../core/links.ts';
import { handleMessage } from '../bot/index.ts';
import { createLogger } from '../core/log.ts';
import { appAssets } from '../embedded-app/assets.ts';
import { startServer } from '../server.ts';
import { CONSENT_VERSION } from '../embedded-app/state/content.ts';

const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results', 'screenshots');

/** Books (a week ahead, as the API wants notice), then comes back to the test's own time. */
async function book(s: TestServer, over: Record<string, unknown> = {}): Promise<{ id: string; end: string }> {
  const now = s.clock.now;
  s.clock.now = TEST_NOW;
  const created = await s.call('POST', '/api/v1/consultations', booking(over));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await s.running.worker.idle();
  s.clock.now = now;
  return created.body;
}

/** A page in a context of its own (axe needs one); closing the page closes the context. */
async function open(browser: Browser, viewport = { width: 375, height: 667 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('close', () => void context.close());
  return page;
}

const citizenUrl = async (s: TestServer, c: { id: string; end: string }) =>
  citizenLink(s.url, await linkKey(s.running.store.db, s.config.secretKey), c.id, Date.parse(c.end));

/** The staff link, as the bot gives it to a staff member who sends /app. */
async function staffUrlFromBot(s: TestServer, id: string): Promise<string> {
  const deps = botDeps(s);
  const reply = await handleMessage(deps, { platform: 'console', userId: 'u-desk', displayName: '窓口 山田' }, `/app #${id}`);
  const m = /(\S+\/app\/s\/\S+)/.exec(reply.text);
  assert.ok(m, reply.text);
  return m[1]!.replace(s.config.publicBaseUrl, s.url);
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describeInChromium('the in-meeting app in Chromium', (browser) => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer('sqlite');
    s.clock.now = jst('2026-12-01', '09:55');
  });
  afterEach(async () => {
    await s.close();
  });

  it('every citizen step passes axe (no serious or critical violation) and is photographed at 375×667, in Japanese and English', async () => {
    const c = await book(s);
    const link = await citizenUrl(s, c);
    const page = await open(browser(), { width: 375, height: 667 });
    // Agreed, so that every step opens (without a yes they lead back to the consent).
    await fetch(`${link}/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `choice=agree&version=${CONSENT_VERSION}`,
    });
    for (const lang of ['ja', 'en'] as const) {
      const q = lang === 'en' ? '?lang=en' : '';
      for (const [step, suffix] of [
        ['1-welcome', ''],
        ['2-consent', '/consent'],
        ['3-documents', '/documents'],
        ['4-ready', '/ready'],
        ['5-end', '/end'],
        ['6-status', '/status'],
      ] as const) {
        // The survey is asked after the consultation.
        s.clock.now = step === '5-end' ? jst('2026-12-01', '11:00') : jst('2026-12-01', '09:55');
        await page.goto(`${link}${suffix}${q}`);
        if (step === '4-ready' || step === '5-end') assert.ok(page.url().endsWith(`${suffix}${q}`), `${step} is its own page (${page.url()})`);
        await noSeriousViolations(page, `${step} (${lang})`);
        const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
        assert.ok(width <= 375, `${step} (${lang}) fits 375 px (${width})`);
        await shot(page, `citizen-${step}-${lang}`);
      }
    }
    // Ruby: readings for hard kanji are real <ruby> elements.
    await page.goto(`${link}/consent`);
    assert.ok((await page.locator('ruby rt').count()) > 0);
    // The refusal page too.
    await page.goto(`${s.url}/app/c/NOTATOKEN`);
    await noSeriousViolations(page, 'refusal');
    await shot(page, 'citizen-refused');
    await page.close();
  });

  it('the staff view follows the citizen live; staff move the citizen, check a document and relay, and the citizen sees it', async () => {
    const c = await book(s, { consultationType: 'after-death-procedures' });
    const staffPage = await open(browser(), { width: 900, height: 900 });
    await staffPage.goto(await staffUrlFromBot(s, c.id));
    await staffPage.getByText('自動で更新しています').waitFor();
    assert.match(await staffPage.locator('#panel').innerText(), /まだ開いていません/);
    await noSeriousViolations(staffPage, 'staff view');

    const citizen = await open(browser(), { width: 375, height: 667 });
    await citizen.goto(await citizenUrl(s, c));
    await staffPage.locator('#panel').getByText('いまの画面: 1. ようこそ').waitFor();
    await citizen.getByRole('link', { name: '次へ' }).click();
    await citizen.getByRole('button', { name: '同意します' }).click();
    await citizen.locator('h1', { hasText: '用意していただく書類' }).waitFor();
    // Live: the consent (with its version and entry point) shows on the staff view without a reload.
    await staffPage.locator('#panel td.ok', { hasText: '同意' }).waitFor();
    assert.match(await staffPage.locator('#panel').innerText(), /案内メールのリンク/);
    await citizen
      .getByRole('group', { name: /死亡診断書/ })
      .getByLabel('手元にあります')
      .check();
    for (const name of [/本人確認書類/, /保険証/, /年金証書/, /通帳/]) await citizen.getByRole('group', { name }).getByLabel('ありません').check();
    await citizen.getByRole('button', { name: '次へ' }).click();
    await staffPage.locator('#panel').getByText('いまの画面: 4. 準備完了・参加').waitFor();
    // At 09:55 the meeting's button is there for the citizen.
    assert.equal(await citizen.getByRole('link', { name: '参加する' }).count(), 1);
    const row = staffPage.locator('#panel tr', { hasText: '死亡診断書' });
    assert.match(await row.innerText(), /あり/);

    // Staff check a document (server-side, audited) and the mark shows.
    await row.getByRole('button', { name: '確認した' }).click();
    await staffPage
      .locator('#panel tr', { hasText: '死亡診断書' })
      .getByRole('button', { name: /確認済み/ })
      .waitFor();

    // Staff move the citizen back to the documents step: the citizen's page follows by itself.
    await staffPage.getByRole('button', { name: '3. 書類の確認' }).click();
    await citizen.locator('h1', { hasText: '用意していただく書類' }).waitFor();
    assert.equal(
      await citizen
        .getByRole('group', { name: /死亡診断書/ })
        .getByLabel('手元にあります')
        .isChecked(),
      true,
      'answers kept',
    );

    // Staff (of 税務課, where the booking is) relay to 保険年金課: the citizen's page shows the notice live, then who is coming.
    await staffPage.getByLabel('おつなぎ先').selectOption({ label: '保険年金課' });
    await staffPage.getByRole('button', { name: 'おつなぎを依頼する' }).click();
    await staffPage.getByText('保険年金課へおつなぎを依頼しました').waitFor();
    await citizen.getByText('保険年金課の担当者におつなぎしています。このままお待ちください。（0分）').waitFor();
    await shot(citizen, 'citizen-relay-notice-ja');
    const deps = botDeps(s);
    const pension = { platform: 'console' as const, userId: 'u-pension', displayName: '年金 佐藤' };
    await handleMessage(deps, pension, '/duty on 年金');
    await handleMessage(deps, pension, '/accept');
    await citizen.getByText('保険年金課の佐藤がまいります。').waitFor();
    await staffPage.locator('#panel').getByText('保険年金課の佐藤がまいります。').waitFor();
    await shot(staffPage, 'staff-view');
    // Staff end the talk early and move the citizen to the survey: it is asked at once, before the booked end.
    await staffPage.getByRole('button', { name: '5. 終わり・アンケート' }).click();
    await citizen.getByLabel('とても満足').waitFor();

    const audit = (await s.call('GET', `/api/v1/consultations/${c.id}/audit`)).body.entries.map((e: { action: string }) => e.action);
    for (const a of ['consent.given', 'app.document_checked', 'app.step_pushed', 'relay.requested', 'relay.accepted']) assert.ok(audit.includes(a), a);
    const seen = (await s.call('GET', `/api/v1/consultations/${c.id}/app`)).body;
    assert.ok(seen.staffChecked['death-certificate']);
    await citizen.close();
    await staffPage.close();
  });

  it('refuses a foreign, altered or expired staff link with a readable page, and staff actions from another site', async () => {
    const c = await book(s);
    const good = await staffUrlFromBot(s, c.id);
    // The bot never posts a staff link in a shared space or channel.
    const deps = botDeps(s);
    const inGroup = await handleMessage(deps, { platform: 'console', userId: 'u-desk', displayName: '窓口 山田', direct: false }, `/app #${c.id}`);
    assert.match(inGroup.text, /1 対 1/);
    assert.doesNotMatch(inGroup.text, /\/app\/s\//);
    const other = await book(s, { start: '2026-12-01T13:00:00+09:00' });
    const key = await linkKey(s.running.store.db, s.config.secretKey);
    const forged = `${s.url}/app/s/${signStaffLink(Buffer.alloc(32, 7), c.id, 'X', s.clock.now + 3_600_000)}`;
    const page = await open(browser());
    await page.goto(forged);
    assert.match(await page.locator('h1').innerText(), /このリンクは使えません/);
    // A citizen token is not a staff token (and the other way round).
    assert.equal((await fetch(`${s.url}/app/s/${(await citizenUrl(s, other)).split('/app/c/')[1]}`)).status, 404);
    assert.equal((await fetch(`${s.url}/app/c/${good.split('/app/s/')[1]}`)).status, 404);
    const expired = `${s.url}/app/s/${signStaffLink(key, c.id, 'X', s.clock.now - 1)}`;
    assert.equal((await fetch(expired)).status, 410);
    const crossSite = await fetch(`${good}/actions`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'action=move&step=end',
    });
    assert.equal(crossSite.status, 403);
    const bad = await fetch(`${good}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'action=check&item=not-on-the-list',
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /その書類はこの相談の一覧にありません/);
    await page.close();
  });

  it('inside Webex: the real SDK in a stand-in Webex host reports the meeting, a participant gets that consultation’s steps, and the host shares the app', async () => {
    const c = await book(s);
    const webexId = '8f1b6e2c4a5d47e0b9c3d2a1f0e9d8c7';
    await s.running.store.db.updateTable('meetings').set({ provider: 'webex', provider_meeting_id: webexId }).where('consultation_id', '=', c.id).execute();
    const host = await open(browser());
    await openInWebexHost(host, {
      appUrl: `${s.url}/app/webex`,
      meeting: { id: `${webexId}_I_123456`, title: 'オンライン相談', userRoles: ['HOST'], meetingType: 'MEETING' },
    });
    await host.frameLocator('#app').getByText('このアプリを参加者と共有しました').waitFor({ timeout: 15_000 });
    const share = (await webexCalls(host)).find((x) => x.name === 'application.setShareUrl');
    assert.ok(share, 'the host shares the app');
    // What is shared carries the consultation: a participant needs no meeting id of their own.
    const shared = new RegExp(`${s.config.publicBaseUrl.replace(/[.]/g, '\\.')}/app/c/${c.id}\\.\\d+\\.[A-Za-z0-9_-]{43}\\?via=webex`).exec(
      JSON.stringify(share.payload),
    )?.[0];
    assert.ok(shared, JSON.stringify(share.payload));
    assert.equal(await s.running.store.db.selectFrom('app_progress').select('step').executeTakeFirst(), undefined, 'the host answers nothing for the citizen');
    await shot(host, 'webex-host');
    await host.close();

    const page = await open(browser());
    await openInWebexHost(page, {
      appUrl: `${s.url}/app/webex`,
      meeting: { id: `${webexId}_I_123456`, title: 'オンライン相談', userRoles: ['ATTENDEE'], meetingType: 'MEETING' },
    });
    const app = page.frameLocator('#app');
    await app.locator('h1', { hasText: 'オンライン相談へようこそ' }).waitFor({ timeout: 15_000 });
    const welcome = await app.locator('main').innerText();
    assert.match(welcome, /税務課/);
    assert.doesNotMatch(welcome, /山田/, 'no name from a meeting id alone');
    assert.equal(
      (await webexCalls(page)).some((x) => x.name === 'application.setShareUrl'),
      false,
    );
    // A participant whose client gives only a derived meeting id opens what the host shared.
    const derived = await open(browser());
    await openInWebexHost(derived, {
      appUrl: shared.replace(s.config.publicBaseUrl, s.url),
      meeting: { id: 'derived-0123456789abcdef', userRoles: ['ATTENDEE'] },
      application: { isPrivateDataAvailable: false },
    });
    await derived.frameLocator('#app').locator('h1', { hasText: 'オンライン相談へようこそ' }).waitFor({ timeout: 15_000 });
    await derived.close();
    // Answers given inside Webex are recorded as such.
    await app.getByRole('link', { name: '次へ' }).click();
    await app.getByRole('button', { name: '同意します' }).click();
    await app.locator('h1', { hasText: '用意していただく書類' }).waitFor();
    const consent = await s.running.store.db.selectFrom('consents').selectAll().executeTakeFirstOrThrow();
    assert.equal(consent.entry_point, 'webex');
    // Outside the meeting's time the meeting id opens nothing.
    s.clock.now = jst('2026-12-01', '12:30');
    const late = await fetch(`${s.url}/app/webex/open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ meetingId: webexId }),
    });
    assert.equal(late.status, 404);
    await page.close();
  });

  it('inside Webex with a derived meeting id: the host names the consultation by its number and shares it', async () => {
    const c = await book(s);
    const host = await open(browser());
    await openInWebexHost(host, {
      appUrl: `${s.url}/app/webex`,
      meeting: { id: 'derived-0123456789abcdef', userRoles: ['HOST'] },
      application: { isPrivateDataAvailable: false },
    });
    const app = host.frameLocator('#app');
    await app.getByRole('heading', { name: '相談番号を入れてください' }).waitFor({ timeout: 15_000 });
    await noSeriousViolations(host, 'the Webex host naming the consultation');
    await app.getByLabel('相談番号').fill('NOTABOOKING');
    await app.getByRole('button', { name: '参加者と共有する' }).click();
    await app.getByRole('alert').getByText('この会議の相談は見つかりません').waitFor();
    await app.getByLabel('相談番号').fill(`#${c.id.toLowerCase()}`);
    await app.getByRole('button', { name: '参加者と共有する' }).click();
    await app.getByText('このアプリを参加者と共有しました').waitFor();
    const share = (await webexCalls(host)).find((x) => x.name === 'application.setShareUrl');
    assert.match(JSON.stringify(share?.payload), new RegExp(`/app/c/${c.id}\\.`));
    await host.close();
  });

  it('inside Webex in a meeting with no consultation: says so; a participant does not share', async () => {
    await book(s);
    const page = await open(browser());
    await openInWebexHost(page, { appUrl: `${s.url}/app/webex`, meeting: { id: 'ffffffffffffffffffffffffffffffff', userRoles: ['ATTENDEE'] } });
    await page.frameLocator('#app').getByText('この会議の相談が見つかりません').waitFor({ timeout: 15_000 });
    assert.equal(
      (await webexCalls(page)).some((x) => x.name === 'application.setShareUrl'),
      false,
    );
    await page.close();
  });

  it('inside Teams: the real teams-js in a stand-in Teams client gives the side panel’s meeting; an anonymous guest gets that consultation’s steps', async () => {
    const c = await book(s);
    const thread = '19:meeting_ZjNlMmQ0YjQtYjc2Ni00ZTIwLWI3ZWItZjA5NDFlMzI3NjY3@thread.v2';
    const graphId = Buffer.from(`1*6702afb6-2a41-4b45-9a5e-0f3c1f7c2a10*0**${thread}`).toString('base64');
    await s.running.store.db.updateTable('meetings').set({ provider: 'teams', provider_meeting_id: graphId }).where('consultation_id', '=', c.id).execute();
    const page = await open(browser());
    await openInTeamsHost(page, {
      appUrl: `${s.url}/app/teams`,
      context: { meeting: { id: Buffer.from(`0#${thread}#0`).toString('base64') }, chat: { id: thread }, app: { locale: 'ja-jp' }, user: null },
    });
    const tab = page.frameLocator('#app');
    await tab.locator('h1', { hasText: 'オンライン相談へようこそ' }).waitFor({ timeout: 15_000 });
    assert.ok(
      (await teamsCalls(page)).some((x) => x.func === 'appInitialization.success'),
      'the tab tells Teams it loaded',
    );
    await tab.getByRole('link', { name: '次へ' }).click();
    await tab.getByRole('button', { name: '同意します' }).click();
    await tab.locator('h1', { hasText: '用意していただく書類' }).waitFor();
    const consent = await s.running.store.db.selectFrom('consents').selectAll().executeTakeFirstOrThrow();
    assert.equal(consent.entry_point, 'teams');
    await page.close();

    // Staff (the city's tenant) get a button in their side panel that shares the citizen's steps to the stage,
    // where a guest sees it; staff looking at the stage are told not to answer for the citizen.
    const TENANT = '0f3c1f7c-2a10-4b45-9a5e-6702afb62a41';
    const teams = await startTestServer('sqlite', {
      TEAMS_TENANT_ID: TENANT,
      TEAMS_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      TEAMS_CLIENT_SECRET: 'secret',
      TEAMS_HOST_USER_ID: 'host-user',
    });
    try {
      teams.clock.now = s.clock.now;
      const tc = await book(teams);
      // (Graph is not called here: the meeting the Teams host would have made is written as it would be stored.)
      const row = await teams.running.store.db
        .selectFrom('consultations')
        .select(['host_id', 'schedule_version'])
        .where('id', '=', tc.id)
        .executeTakeFirstOrThrow();
      await teams.running.store.db.deleteFrom('meetings').where('consultation_id', '=', tc.id).execute();
      await teams.running.store.db
        .insertInto('meetings')
        .values({
          consultation_id: tc.id,
          host_id: row.host_id,
          synced_version: row.schedule_version,
          provider: 'teams',
          provider_meeting_id: graphId,
          meeting_number: '',
          password: '',
          join_url: 'https://teams.microsoft.com/l/meetup-join/test',
          dial_in: '[]',
          sip_address: '',
          created_at: new Date(TEST_NOW).toISOString(),
          updated_at: new Date(TEST_NOW).toISOString(),
        })
        .execute();
      const meetingContext = { meeting: { id: Buffer.from(`0#${thread}#0`).toString('base64') }, chat: { id: thread }, app: { locale: 'ja-jp' } };
      const panel = await open(browser());
      await openInTeamsHost(panel, { appUrl: `${teams.url}/app/teams`, context: { ...meetingContext, user: { id: 'staff-1', tenant: { id: TENANT } } } });
      const side = panel.frameLocator('#app');
      await side.getByRole('button', { name: '相談者に案内を見せる（ステージで共有）' }).waitFor();
      await noSeriousViolations(panel, 'the Teams side panel for staff');
      await side.getByRole('button', { name: '相談者に案内を見せる（ステージで共有）' }).click();
      await side.getByText('相談者の画面（ステージ）に案内を表示しました。').waitFor();
      const shared = (await teamsCalls(panel)).find((x) => x.func === 'meeting.shareAppContentToStage');
      const stageUrl = String(shared?.args[0]);
      assert.match(stageUrl, new RegExp(`^${teams.config.publicBaseUrl.replace(/[.]/g, '\\.')}/app/teams\\?stage=${tc.id}\\.`));
      await panel.close();
      const stage = stageUrl.replace(teams.config.publicBaseUrl, teams.url);
      const guest = await open(browser());
      await openInTeamsHost(guest, {
        appUrl: stage,
        frameContext: 'meetingStage',
        context: { meeting: { id: 'unrelated' }, chat: null, app: { locale: 'ja-jp' }, user: { licenseType: 'Anonymous', tenant: null } },
      });
      await guest.frameLocator('#app').locator('h1', { hasText: 'オンライン相談へようこそ' }).waitFor({ timeout: 15_000 });
      await guest.close();
      const onStage = await open(browser());
      await openInTeamsHost(onStage, {
        appUrl: stage,
        frameContext: 'meetingStage',
        context: { ...meetingContext, user: { id: 'staff-1', tenant: { id: TENANT } } },
      });
      await onStage.frameLocator('#app').getByText('相談者の画面に案内を表示しています').waitFor({ timeout: 15_000 });
      await onStage.close();
    } finally {
      await teams.close();
    }

    // Adding the app to a meeting: the configuration page saves the side panel's address.
    const config = await open(browser());
    await openInTeamsHost(config, { appUrl: `${s.url}/app/teams/config`, frameContext: 'settings', context: {} });
    await config.frameLocator('#app').locator('h1').waitFor();
    await config.waitForFunction('(window.__teamsCalls || []).some((c) => c.func === "settings.setValidityState")');
    await config.evaluate('window.__teamsHost.emit("settings.save", [{}])');
    await config.waitForFunction('(window.__teamsCalls || []).some((c) => c.func === "settings.setSettings")');
    const saved = (await teamsCalls(config)).find((x) => x.func === 'settings.setSettings');
    assert.match(JSON.stringify(saved?.args), new RegExp(`${s.url.replace(/[.]/g, '\\.')}/app/teams`));
    await config.close();
  });

  it('outside any host the Webex and Teams entries fall back to standalone within 2 seconds, without loading the Webex SDK', async () => {
    const assets = await appAssets();
    for (const entry of ['webex', 'teams']) {
      const page = await open(browser(), { width: 375, height: 667 });
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      const started = Date.now();
      await page.goto(`${s.url}/app/${entry}`);
      await page.getByText(`この画面は ${entry === 'webex' ? 'Webex' : 'Teams'} の会議の中で使います。`).waitFor({ timeout: 2000 });
      assert.ok(Date.now() - started < 2000);
      assert.ok(!requested.some((u) => u.includes(assets.webexSdk)), 'the Webex SDK is not loaded outside Webex');
      await noSeriousViolations(page, `${entry} standalone`);
      await shot(page, `${entry}-standalone`);
      await page.close();
    }
  });

  it('an admin edits the consent text: the citizen reads the new version, and the consent records that version', async () => {
    const c = await book(s);
    const page = await open(browser());
    await signInAsAdmin(page, s.url, ADMIN_TOKEN);
    await page.goto(`${s.url}/admin/app/consent`);
    // A row with Japanese but no English is refused next to the field, and nothing is saved.
    await page.locator('#ja_4').fill('相談の様子をメモに取ることがあります。');
    await page.getByRole('button', { name: '保存して新しい版にする' }).click();
    assert.match(await page.locator('#en_4-error').innerText(), /英語の文も入れてください/);
    assert.equal(await s.running.store.db.selectFrom('app_content_versions').select('id').executeTakeFirst(), undefined);
    await page.locator('#en_4').fill('Staff may take notes during the consultation.');
    await page.locator('#ja_0').fill('この相談は録画《ろくが》しません。');
    await page.getByRole('button', { name: '保存して新しい版にする' }).click();
    await page.getByText('第1版を保存しました').waitFor();
    const citizen = await open(browser());
    await citizen.goto(`${await citizenUrl(s, c)}/consent`);
    const rules = await citizen.locator('ol.rules').innerText();
    assert.match(rules, /相談の様子をメモに取ることがあります/);
    await citizen.getByRole('button', { name: '同意します' }).click();
    const consent = await s.running.store.db.selectFrom('consents').selectAll().executeTakeFirstOrThrow();
    const saved = await s.running.store.db.selectFrom('app_content_versions').selectAll().executeTakeFirstOrThrow();
    assert.equal(consent.text_version, saved.hash);
    const text = await s.running.store.db.selectFrom('app_texts').select('body').where('hash', '=', consent.text_version).executeTakeFirstOrThrow();
    assert.match(text.body, /録画《ろくが》しません/);
    // Rollback to the built-in text makes version 2.
    await page.getByRole('button', { name: 'この版に戻す' }).click();
    await page.getByText('初期設定の文面に戻しました（第2版）').waitFor();
    await citizen.goto(`${await citizenUrl(s, c)}/consent`);
    assert.doesNotMatch(await citizen.locator('ol.rules').innerText(), /メモに取る/);
    await page.close();
    await citizen.close();
  });
});

for (const kind of DATABASES) {
  describe(`in-meeting app events (${kind})`, function () {
    this.timeout(30_000);

    /** Reads server-sent events until one matches. */
    async function nextState(url: string, start: () => Promise<void>, until: (data: string) => boolean): Promise<string> {
      const controller = new AbortController();
      const res = await fetch(url, { signal: controller.signal });
      assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      let started = false;
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended');
          buffer += decoder.decode(value, { stream: true });
          for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, i);
            buffer = buffer.slice(i + 2);
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (!data) continue;
            if (!started) {
              started = true;
              await start();
              continue;
            }
            if (until(data)) return data;
          }
        }
      } finally {
        controller.abort();
      }
    }

    it(`a change made through one instance reaches a page open on another${kind === 'sqlite' ? ' (one instance: in process)' : ' (LISTEN/NOTIFY)'}`, async () => {
      const a = await startTestServer(kind);
      try {
        a.clock.now = jst('2026-12-01', '09:55');
        const c = await book(a);
        const link = await citizenUrl(a, c);
        // On PostgreSQL a second instance on the same database; on SQLite the same one.
        const b =
          kind === 'postgres'
            ? await startServer(a.config, {
                log: createLogger('silent'),
                clock: () => a.clock.now,
                workerPollMs: 60_000,
                ...(a.pgSchema ? { pgSchema: a.pgSchema } : {}),
              })
            : null;
        try {
          const other = b ? b.url : a.url;
          const token = link.split('/app/c/')[1]!;
          const data = await nextState(
            `${a.url}/app/c/${token}/events`,
            async () => {
              const res = await fetch(`${other}/app/c/${token}/consent`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: `choice=agree&version=${CONSENT_VERSION}`,
              });
              assert.equal(res.status, 200);
            },
            (d) => JSON.parse(d).step === 'consent' || JSON.parse(d).step === 'documents',
          );
          assert.ok(data);
          const staff = await staffUrlFromBot(a, c.id);
          const staffOther = staff.replace(a.url, other);
          const html = await nextState(
            `${staff}/events`,
            async () => {
              const res = await fetch(`${staffOther}/actions`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
                body: 'action=move&step=end',
              });
              assert.equal(res.status, 200);
            },
            (d) => (JSON.parse(d) as { html: string }).html.includes('職員が「5. 終わり・アンケート」へ移しました'),
          );
          assert.ok(html);
        } finally {
          await b?.close();
        }
      } finally {
        await a.close();
      }
    });
  });
}

describe('the Teams side panel and the app’s headers', function () {
  this.timeout(30_000);
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer('sqlite');
  });
  afterEach(async () => {
    await s.close();
  });

  it('maps the side panel’s meeting (or chat) id to the consultation through the stored Graph meeting id', async () => {
    const c = await book(s);
    const thread = '19:meeting_NWM1ZTk0ZDAtZjQ3Zi00YzYxLTk1ZWQtMzFjZGI0OGFjYjQ5@thread.v2';
    const graphId = Buffer.from(`1*6702afb6-2a41-4b45-9a5e-0f3c1f7c2a10*0**${thread}`).toString('base64');
    await s.running.store.db.updateTable('meetings').set({ provider: 'teams', provider_meeting_id: graphId }).where('consultation_id', '=', c.id).execute();
    s.clock.now = jst('2026-12-01', '09:40');
    const open = (body: unknown) =>
      fetch(`${s.url}/app/teams/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const byMeeting = await open({ meetingId: Buffer.from(`0#${thread}#0`).toString('base64') });
    assert.equal(byMeeting.status, 200);
    const { url } = (await byMeeting.json()) as { url: string };
    assert.match(url, new RegExp(`^/app/c/${c.id}\\.\\d+\\.[A-Za-z0-9_-]{43}\\?via=teams$`));
    const page = await fetch(`${s.url}${url}`);
    assert.match(await page.text(), /オンライン相談へようこそ/);
    assert.equal((await open({ meetingId: '', chatId: thread })).status, 200, 'an anonymous guest’s chat id is enough');
    const other = await open({ meetingId: Buffer.from('0#19:meeting_OTHER@thread.v2#0').toString('base64') });
    // With Teams configured, someone signed in to the city's own tenant is staff: no citizen link for them.
    const teams = await startTestServer('sqlite', {
      TEAMS_TENANT_ID: '0f3c1f7c-2a10-4b45-9a5e-6702afb62a41',
      TEAMS_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      TEAMS_CLIENT_SECRET: 'secret',
      TEAMS_HOST_USER_ID: 'host-user',
    });
    try {
      const staff = await fetch(`${teams.url}/app/teams/open`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chatId: thread, tenantId: '0f3c1f7c-2a10-4b45-9a5e-6702afb62a41' }),
      });
      assert.deepEqual(await staff.json(), { staff: true });
    } finally {
      await teams.close();
    }
    assert.equal(other.status, 404);
    assert.match(((await other.json()) as { detail_ja: string }).detail_ja, /この会議の相談は見つかりません/);
  });

  it('sends a Content-Security-Policy that allows only our own scripts, the page’s own inline stylesheet and citizen script by their hashes, and framing by the configured Webex and Teams hosts', async () => {
    const assets = await appAssets();
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    const c = await book(s);
    for (const p of ['/app/webex', '/app/teams', '/app/teams/config', new URL(await citizenUrl(s, c)).pathname]) {
      const res = await fetch(`${s.url}${p}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, new RegExp(`script-src 'self' ${hash(assets.inline.citizenJs).replace(/[+/]/g, '\\$&')}(;|$)`));
      assert.match(csp, new RegExp(`style-src 'self' ${hash(assets.inline.css).replace(/[+/]/g, '\\$&')}(;|$)`));
      assert.match(csp, /frame-ancestors https:\/\/\*\.webex\.com .*https:\/\/teams\.microsoft\.com/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*(?!\.)/);
      assert.equal(res.headers.get('x-frame-options'), null);
      const page = await res.text();
      // Exactly the hashed blocks are inline: the stylesheet everywhere, the script only on the citizen's steps.
      const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
      assert.deepEqual(styles, [assets.inline.css]);
      const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
      assert.deepEqual(scripts, p.startsWith('/app/c/') ? [assets.inline.citizenJs] : []);
      assert.doesNotMatch(page, / style=/, 'no inline style attribute');
    }
    const custom = await startTestServer('sqlite', { APP_FRAME_ANCESTORS: 'https://teams.microsoft.com' });
    try {
      assert.match((await fetch(`${custom.url}/app/teams`)).headers.get('content-security-policy') ?? '', /frame-ancestors https:\/\/teams\.microsoft\.com$/);
    } finally {
      await custom.close();
    }
  });

  it('keeps the citizen’s first screen within 50 KB gzipped of our own JS and CSS; the Webex SDK is apart', async () => {
    const assets = await appAssets();
    assert.ok(assets.shipped.citizen.total <= 50 * 1024, JSON.stringify(assets.shipped));
    assert.ok(assets.shipped.webex.total <= 50 * 1024, JSON.stringify(assets.shipped));
    assert.ok(assets.webexSdkGzip > 50 * 1024, 'the SDK itself is the heavy part, loaded only inside Webex');
    const res = await fetch(`${s.url}${assets.js.citizen}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  });
});
