// Tried the way an attacker and a careless client would: unparsable headers, fuzzed requests and bot commands, guessed
// passwords and tokens, the security headers of every kind of answer, and a staff member relinking a department.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createAdminUser } from '../core/auth/admins.ts';
import { createIdSource } from '../core/ids.ts';
import { noThrottles } from '../core/throttle.ts';
import { citizenLink, linkKey } from '../core/links.ts';
import { handleAction, handleMessage } from '../bot/index.ts';
import type { Sender } from '../bot/index.ts';
import { COMMAND_ALIASES, COMMAND_NAMES } from '../bot/parse.ts';
import { offerChannelLink } from '../scheduler/departments.ts';
import { createLogger } from '../core/log.ts';
import { startServer } from '../server.ts';
import {
  ADMIN_TOKEN,
  DATABASES,
  FORM,
  PG_URL,
  postSignIn,
  TEST_NOW,
  booking,
  botDeps,
  freshPlace,
  signIn,
  serverForEachTest,
  startTestServer,
  testConfig,
} from './helpers.ts';
import type { TestServer } from './helpers.ts';

/** Tries a sign-in with email and password (a fresh sign-in page each time, as a browser would). */
const tryPassword = (url: string, email: string, password: string, headers: Record<string, string> = {}) => postSignIn(url, { email, password }, headers);

for (const kind of DATABASES) {
  describe(`headers that cannot be parsed (${kind})`, function () {
    this.timeout(30_000);
    let s: TestServer;
    serverForEachTest(kind, (x) => (s = x));

    it('Origin: null or any unparsable Origin on an admin POST gets 403, never 500', async () => {
      for (const origin of ['null', 'not a url', 'http://', '://x', 'http://[::1']) {
        const res = await fetch(`${s.url}/admin/login`, { method: 'POST', headers: { origin, 'content-type': FORM }, body: 'token=x' });
        assert.equal(res.status, 403, origin);
        assert.match(await res.text(), /このページからは送信できません/);
      }
      const { cookie, csrf } = await signIn(s.url);
      const post = await fetch(`${s.url}/admin/departments`, {
        method: 'POST',
        headers: { origin: 'null', cookie, 'content-type': FORM },
        body: new URLSearchParams({ csrf, name: '新しい課' }),
      });
      assert.equal(post.status, 403);
      const consolePost = await fetch(`${s.url}/console/staff`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: 'null', cookie, 'content-type': FORM },
        body: new URLSearchParams({ csrf, name: 'x' }),
      });
      assert.equal(consolePost.status, 403);
    });

    it('a NUL character anywhere gets 400 (API) or a page (admin, console), never 500, and nothing is written', async () => {
      const api = [
        await s.call('POST', '/api/v1/consultations', booking({ citizen: { name: '山田\u0000太郎', email: 'yamada@example.jp' } })),
        await s.call('GET', '/api/v1/consultations?from=2026-12-01%00&to=2026-12-01'),
        await s.call('GET', '/api/v1/consultations/AB%00CD'),
        await s.call('POST', '/api/v1/calendar/exceptions', { kind: 'closed', startDate: '2026-12-03', note: '点検\u0000' }),
      ];
      for (const r of api) {
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.match(r.body.detail_ja ?? r.body.title, /NUL/);
      }
      const { cookie, csrf } = await signIn(s.url);
      for (const [path, body] of [
        ['/admin/departments', { name: '市民\u0000課', aliases: '', contact: '' }],
        ['/admin/calendar/exceptions', { kind: 'closed', startDate: '2026-12-03', note: 'x\u0000' }],
        ['/admin/templates/invitation/ja', { subject: 'x\u0000', text: 'x', html: 'x' }],
        ['/console/staff', { name: '田中\u0000' }],
      ] as const) {
        const res = await fetch(`${s.url}${path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, 'content-type': FORM },
          body: new URLSearchParams({ csrf, ...body }),
        });
        assert.ok(res.status === 400 || res.status === 422, `${path}: ${res.status}`);
        assert.match(res.headers.get('content-type') ?? '', /html/, path);
        assert.match(await res.text(), /NUL/, path);
      }
      // In the address of a page, before any form is read: still a page.
      for (const path of ['/admin/privacy?id=%00', '/console?staff=%00']) {
        const res = await fetch(`${s.url}${path}`, { headers: { cookie } });
        assert.equal(res.status, 400, path);
        assert.match(res.headers.get('content-type') ?? '', /html/, path);
        assert.match(res.headers.get('content-security-policy') ?? '', /style-src 'self' 'sha256-/, `${path}: the page's own style is allowed`);
        assert.match(await res.text(), /読み取れない文字（NUL）/, path);
      }
      // The citizen's survey comment, on their own page.
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      const link = citizenLink(s.url, await linkKey(s.running.store.db, s.config.secretKey), c.id, Date.parse(c.end));
      const survey = await fetch(`${link}/end`, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: new URLSearchParams({ comment: 'よかった\u0000' }),
      });
      assert.equal(survey.status, 400);
      assert.match(survey.headers.get('content-type') ?? '', /html/);
      assert.match(await survey.text(), /読み取れない文字（NUL）/);
      const rows = async (table: 'departments' | 'calendar_exceptions' | 'template_versions' | 'staff' | 'consultations') =>
        (await s.running.store.db.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).filter((r) => r.includes('\\u0000'));
      for (const t of ['departments', 'calendar_exceptions', 'template_versions', 'staff', 'consultations'] as const) assert.deepEqual(await rows(t), [], t);
    });

    it('a malformed cookie gets the sign-in page (admin and console), never 500', async () => {
      for (const cookie of ['madoguchi_admin=%E0%A4%A', 'madoguchi_admin=%', 'madoguchi_login=%ZZ; madoguchi_admin=%E0%A4%A', '=%E0', 'madoguchi_admin']) {
        for (const path of ['/admin/templates', '/console', '/admin/privacy']) {
          const res = await fetch(`${s.url}${path}`, { redirect: 'manual', headers: { cookie } });
          assert.equal(res.status, 303, `${path} with ${cookie}`);
          assert.match(res.headers.get('location') ?? '', /\/admin\/login/);
        }
        const post = await fetch(`${s.url}/admin/departments`, { method: 'POST', headers: { cookie, 'content-type': FORM }, body: 'name=x' });
        assert.equal(post.status, 401);
        const login = await fetch(`${s.url}/admin/login`, { method: 'POST', headers: { cookie, 'content-type': FORM }, body: 'login_csrf=x&token=y' });
        assert.equal(login.status, 401);
        assert.match(await login.text(), /もう一度サインインしてください/);
      }
    });
  });

  describe(`pages escape what people typed (${kind})`, function () {
    this.timeout(30_000);
    let s: TestServer;
    serverForEachTest(kind, (x) => (s = x));

    it('the template editor and its preview escape the error text, which echoes the input', async () => {
      const { cookie, csrf } = await signIn(s.url);
      const evil = '<img src=x onerror=alert(1)>';
      for (const subject of [`{{ ${evil} }}`, `{% ${evil} %}`, `{{ consultation.${evil} }}`]) {
        const saved = await fetch(`${s.url}/admin/templates/invitation/ja`, {
          method: 'POST',
          headers: { cookie, 'content-type': FORM },
          body: new URLSearchParams({ csrf, subject, text: 'x', html: '<p>x</p>' }),
        });
        assert.equal(saved.status, 422, subject);
        const page = await saved.text();
        assert.ok(!page.includes(evil), `${subject}: not echoed as markup`);
        assert.ok(page.includes('&#60;img src=x onerror=alert(1)&#62;'), `${subject}: shown as text`);
        assert.match(page, /class="field-error"[^>]*>[^<]+/, 'the problem is shown next to the field');
        const preview = await fetch(`${s.url}/admin/templates/invitation/ja/preview`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify({ subject, text: 'x', html: '<p>x</p>' }),
        });
        assert.equal(preview.headers.get('content-type')?.split(';')[0], 'application/json', 'the live preview is data, put in with textContent');
        assert.ok(((await preview.json()) as { problems: string }).problems.length > 0);
      }
    });

    it('names and notes typed by staff are text on the admin and console pages', async () => {
      const { cookie, csrf } = await signIn(s.url);
      const evil = '<script>alert(1)</script>';
      const added = await fetch(`${s.url}/admin/departments`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': FORM },
        body: new URLSearchParams({ csrf, name: `市民課${evil}`, aliases: '', contact: `"'><b>`, webexRoomId: '', teamsChannel: '' }),
      });
      assert.equal(added.status, 303);
      const departments = await (await fetch(`${s.url}/admin/departments`, { headers: { cookie } })).text();
      assert.ok(!departments.includes(evil) && !departments.includes(`"'><b>`));
      assert.ok(departments.includes('市民課&#60;script&#62;'));
      // In the console: a staff member's name, and what they typed (which the bot's answer repeats).
      const made = await fetch(`${s.url}/console/staff`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': FORM },
        body: new URLSearchParams({ csrf, name: `田中${evil}` }),
      });
      const at = new URL(made.headers.get('location')!, s.url);
      await fetch(`${s.url}/console/say`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': FORM },
        body: new URLSearchParams({ csrf, staff: at.searchParams.get('staff')!, text: `/relay ${evil}` }),
      });
      const consolePage = await (await fetch(at, { headers: { cookie } })).text();
      assert.ok(!consolePage.includes(evil));
      assert.ok(consolePage.includes('田中&#60;script&#62;'));
      assert.ok(consolePage.includes('/relay &#60;script&#62;'), 'what was typed is shown, as text');
    });
  });

  describe(`fuzzed requests and bot commands never get a 5xx (${kind})`, function () {
    this.timeout(120_000);
    let s: TestServer;
    let session: { cookie: string; csrf: string; value: string };
    let consultationId: string;
    let citizenPath: string;
    beforeEach(async () => {
      // Throttling off here: the fuzz sends bad tokens on purpose, and must still reach every handler afterwards.
      s = await startTestServer(kind, {}, { throttles: noThrottles });
      session = await signIn(s.url);
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      consultationId = c.id;
      await s.running.worker.idle();
      citizenPath = new URL(citizenLink(s.url, await linkKey(s.running.store.db, s.config.secretKey), c.id, Date.parse(c.end))).pathname;
    });
    afterEach(async () => {
      await s.close();
    });

    const ascii = (max = 40) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)), maxLength: max });
    const anyText = (max = 40) => fc.string({ unit: 'grapheme', maxLength: max });

    it('headers, paths and bodies', async () => {
      const paths = [
        '/',
        '/healthz',
        '/nope',
        '/admin',
        '/admin/login',
        '/admin/logout',
        '/admin/templates',
        '/admin/templates/invitation/ja',
        '/admin/templates/invitation/ja/preview',
        '/admin/templates/invitation/ja/rollback',
        '/admin/templates/invitation/ja/test',
        '/admin/templates/nope/xx',
        '/admin/departments',
        '/admin/calendar',
        '/admin/calendar/exceptions',
        '/admin/app',
        '/admin/app/consent',
        '/admin/app/checklist',
        '/admin/app/checklist/general',
        '/admin/privacy',
        '/admin/privacy/erase',
        '/console',
        '/console/say',
        '/console/action',
        '/console/staff',
        '/console/feed',
        '/api/v1/openapi.json',
        '/api/v1/hosts',
        '/api/v1/departments',
        '/api/v1/slots',
        '/api/v1/consultations',
        '/api/v1/calendar/exceptions',
        '/api/v1/tokens',
        '/app/webex',
        '/app/teams',
        '/app/teams/config',
        '/app/webex/open',
        '/app/teams/open',
        '/app/assets/x.js',
      ];
      const idPaths = [
        '/api/v1/consultations/',
        '/api/v1/hosts/',
        '/api/v1/tokens/',
        '/api/v1/calendar/exceptions/',
        '/app/c/',
        '/app/s/',
        '/admin/departments/',
        '/admin/app/checklist/',
        '/dry-run/meetings/',
        '/admin/templates/invitation/',
      ];
      const suffixes = ['', '/cancel', '/retry', '/erase', '/app', '/audit', '/consent', '/documents', '/end', '/events', '/actions', '/delete', '/rollback'];
      const path = fc.oneof(
        fc.constantFrom(...paths),
        fc
          .tuple(
            fc.constantFrom(...idPaths),
            fc.oneof(fc.constant(consultationId), anyText(20).map(encodeURIComponent), fc.constantFrom('%E0%A4%A', '%', '..%2F..', '%00')),
            fc.constantFrom(...suffixes),
          )
          .map(([a, b, c]) => `${a}${b}${c}`),
        fc.constantFrom(...suffixes).map((x) => `${citizenPath}${x}`),
        fc
          .tuple(fc.constantFrom('/api/v1/slots', '/api/v1/consultations', '/admin/privacy', '/console', '/admin/login', citizenPath), ascii(30))
          .map(([p, q]) => `${p}?${encodeURI(q).replace(/#/g, '%23')}`),
      );
      const cookie = fc.oneof(
        fc.constant(undefined),
        fc.constant(session.cookie),
        fc.constantFrom('madoguchi_admin=%E0%A4%A', 'madoguchi_login=%', `madoguchi_admin=${session.value}%`, 'madoguchi_admin=; madoguchi_admin=x'),
        ascii(60),
      );
      const origin = fc.oneof(fc.constant(undefined), fc.constantFrom('null', s.url, 'https://evil.example', 'http://[::1', 'x'), ascii(30));
      const contentType = fc.constantFrom(
        undefined,
        'application/json',
        FORM,
        'text/plain',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'multipart/form-data; boundary=x',
        '*/*',
        'garbage',
        'application/problem+json',
      );
      const authorization = fc.oneof(
        fc.constant(undefined),
        fc.constant(`Bearer ${ADMIN_TOKEN}`),
        ascii(40).map((t) => `Bearer ${t}`),
        ascii(40),
      );
      const csrf = fc.oneof(fc.constant(undefined), fc.constant(session.csrf), ascii(30));
      const jsonBody = fc.oneof(
        fc.json({ maxDepth: 3 }),
        fc
          .record(
            {
              start: fc.oneof(fc.constant('2026-12-02T10:00:00+09:00'), anyText(30)),
              durationMinutes: fc.oneof(fc.integer({ min: -10, max: 2000 }), anyText(5)),
              department: fc.oneof(fc.constant('税務'), anyText(10)),
              citizen: fc.oneof(fc.record({ name: anyText(10), email: fc.oneof(fc.emailAddress(), anyText(10)) }), fc.json()),
              topic: anyText(30),
            },
            { requiredKeys: [] },
          )
          .map((o) => JSON.stringify(o)),
        fc
          .record(
            {
              subject: anyText(40),
              text: fc.oneof(
                anyText(60),
                fc.constantFrom('{{ x', '{% if %}', '{{ citizen.name | nope }}', '{% for x in (1..99999999) %}{% endfor %}', '<script>alert(1)</script>{{'),
              ),
              html: anyText(60),
            },
            { requiredKeys: [] },
          )
          .map((o) => JSON.stringify(o)),
      );
      const formBody = fc
        .dictionary(
          fc.constantFrom(
            'csrf',
            'login_csrf',
            'token',
            'email',
            'password',
            'name',
            'aliases',
            'contact',
            'kind',
            'startDate',
            'endDate',
            'startTime',
            'endTime',
            'note',
            'text',
            'staff',
            'action',
            'id',
            'confirm',
            'version',
            'key',
            'to',
            'subject',
            'html',
            'answer',
            'lang',
            'via',
            'step',
            'satisfaction',
            'comment',
          ),
          anyText(40),
          { maxKeys: 6 },
        )
        .chain((d) => csrf.map((c) => (c === undefined ? d : { ...d, csrf: c })))
        .map((d) => new URLSearchParams(d as Record<string, string>).toString());
      const body = fc.oneof(fc.constant(undefined), jsonBody, formBody, anyText(100));
      const request = fc.record({
        method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD'),
        path,
        cookie,
        origin,
        contentType,
        authorization,
        csrf,
        idempotencyKey: fc.oneof(fc.constant(undefined), ascii(300)),
        body,
      });
      type Req = typeof request extends fc.Arbitrary<infer T> ? T : never;
      const seen: string[] = [];
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const headers: Record<string, string> = {};
          if (r.cookie !== undefined) headers.cookie = r.cookie;
          if (r.origin !== undefined) headers.origin = r.origin;
          if (r.contentType !== undefined) headers['content-type'] = r.contentType;
          if (r.authorization !== undefined) headers.authorization = r.authorization;
          if (r.csrf !== undefined) headers['x-csrf-token'] = r.csrf;
          if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey;
          const withBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
          const res = await fetch(`${s.url}${r.path}`, {
            method: r.method,
            redirect: 'manual',
            headers,
            ...(withBody ? { body: r.body } : {}),
            signal: AbortSignal.timeout(10_000),
          });
          // Live pages stream: read only the head of an event stream.
          if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) await res.body?.cancel();
          else await res.arrayBuffer();
          seen.push(`${res.status}`);
          assert.ok(res.status < 500, `${r.method} ${r.path} → ${res.status} (${JSON.stringify(r)})`);
        }),
        {
          numRuns: 400,
          seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31),
          // Besides the random ones, one request known to reach each kind of answer (so that the check below does not
          // depend on the seed).
          examples: (
            [
              { method: 'GET', path: '/healthz' },
              { method: 'GET', path: '/admin/templates' },
              { method: 'GET', path: '/api/v1/hosts' },
              { method: 'POST', path: '/admin/login', origin: 'null', contentType: FORM, body: 'token=x' },
              { method: 'GET', path: '/nope' },
              { method: 'POST', path: '/api/v1/consultations', authorization: `Bearer ${ADMIN_TOKEN}`, contentType: 'application/json', body: '{}' },
            ] as const
          ).map((e): [Req] => [
            {
              cookie: undefined,
              origin: undefined,
              contentType: undefined,
              authorization: undefined,
              csrf: undefined,
              idempotencyKey: undefined,
              body: undefined,
              ...e,
            } as Req,
          ]),
        },
      );
      // The fuzz reached the handlers, not only the front door.
      for (const status of ['200', '303', '401', '403', '404', '422'])
        assert.ok(seen.includes(status), `some answers were ${status}: ${[...new Set(seen)].join(' ')}`);
    });

    it('bot commands and card actions: every one answered, none ends in the internal-error reply', async () => {
      const deps = botDeps(s);
      const words = [...COMMAND_NAMES, ...COMMAND_NAMES.flatMap((n) => COMMAND_ALIASES[n])];
      const arg = fc.oneof(
        fc.constantFrom(
          '税務',
          '年金',
          'ぜいむ',
          '12/1',
          '2026-12-01',
          '12月1日',
          '13/45',
          '10:00',
          '25:99',
          '60',
          '0',
          '-5',
          '99999',
          'on',
          'off',
          'yamada@example.jp',
          '山田太郎',
          `#${consultationId}`,
          '#ZZZZZZZZ',
          '#',
          '@madoguchi',
        ),
        fc.string({ unit: 'grapheme', maxLength: 12 }),
      );
      const message = fc
        .tuple(
          fc.constantFrom('', '/', '／', '@madoguchi '),
          fc.oneof(fc.constantFrom(...words), fc.string({ unit: 'grapheme', maxLength: 8 })),
          fc.array(arg, { maxLength: 7 }),
        )
        .map(([slash, w, args]) => `${slash}${w} ${args.join(' ')}`);
      const sender = fc.record({
        platform: fc.constantFrom('console', 'webex', 'teams'),
        userId: fc.constantFrom('u1', 'u2', 'u3'),
        displayName: fc.constantFrom('受付 山本', '税務 田中', ''),
        direct: fc.boolean(),
        space: fc.constantFrom('room-1', '19:tax@thread.tacv2'),
      }) as fc.Arbitrary<Sender>;
      const verbs = ['accept', 'decline', 'keep-waiting', 'cancel-relay', 'reroute', 'relay', 'link-channel', 'book', 'nope'];
      const action = fc.dictionary(
        fc.constantFrom('verb', 'relayId', 'department', 'consultationId', 'note', 'channel', 'offer', 'date', 'time', 'duration', 'name', 'email', 'topic'),
        fc.oneof(
          fc.constantFrom(...verbs),
          arg,
          fc.json({ maxDepth: 1 }).map((j) => JSON.parse(j) as unknown),
        ),
        { maxKeys: 8 },
      );
      const failedReply = /処理中に問題が起きました/;
      await fc.assert(
        fc.asyncProperty(
          sender,
          fc.oneof(
            message.map((m) => ({ m })),
            action.map((a) => ({ a })),
          ),
          async (who, input) => {
            const reply = 'm' in input ? await handleMessage(deps, who, input.m) : await handleAction(deps, who, input.a as Record<string, unknown>);
            assert.ok(reply.text.length > 0, 'never silent');
            assert.doesNotMatch(reply.text, failedReply, JSON.stringify(input));
          },
        ),
        { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
      );
    });
  });

  describe(`guesses are throttled (${kind})`, function () {
    this.timeout(60_000);
    let s: TestServer;
    beforeEach(async () => {
      s = await startTestServer(kind);
      await createAdminUser(s.running.store.db, createIdSource(), TEST_NOW, {
        email: 'kanri@city.example.jp',
        name: '管理 花子',
        password: 'correct horse battery staple',
      });
    });
    afterEach(async () => {
      await s.close();
    });

    it('the 11th wrong password for one admin in a minute gets 429, and then even the right one waits', async () => {
      for (let i = 1; i <= 10; i++) assert.equal((await tryPassword(s.url, 'kanri@city.example.jp', `wrong ${i}`)).status, 401, `attempt ${i}`);
      const eleventh = await tryPassword(s.url, 'kanri@city.example.jp', 'wrong 11');
      assert.equal(eleventh.status, 429);
      assert.match(eleventh.headers.get('retry-after') ?? '', /^\d+$/);
      const page = await eleventh.text();
      assert.match(page, /サインインの失敗が続いたため/);
      assert.match(page, /Too many failed sign-ins/);
      assert.equal((await tryPassword(s.url, 'kanri@city.example.jp', 'correct horse battery staple')).status, 429);
      // Another account is not held back by this one's failures.
      await createAdminUser(s.running.store.db, createIdSource(), TEST_NOW, {
        email: 'other@city.example.jp',
        name: '管理 次郎',
        password: 'another long pass phrase',
      });
      assert.equal((await tryPassword(s.url, 'other@city.example.jp', 'another long pass phrase')).status, 303);
    });

    it('a right password clears the account’s count; failures from one address across accounts are limited too', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await tryPassword(s.url, 'kanri@city.example.jp', 'wrong')).status, 401);
      assert.equal((await tryPassword(s.url, 'kanri@city.example.jp', 'correct horse battery staple')).status, 303);
      for (let i = 0; i < 9; i++) assert.equal((await tryPassword(s.url, 'kanri@city.example.jp', 'wrong')).status, 401, 'the count started again');
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await tryPassword(s.url, `nobody${i}@city.example.jp`, 'wrong')).status);
      assert.ok(statuses.includes(429), `an address guessing across accounts is stopped (${statuses.join(' ')})`);
    });

    it('wrong bearer tokens from one address: the 21st in a minute gets 429 problem+json, even with a good token', async () => {
      for (let i = 1; i <= 20; i++) assert.equal((await s.call('GET', '/api/v1/hosts', undefined, { authorization: `Bearer guess-${i}` })).status, 401);
      assert.equal((await s.call('GET', '/api/v1/hosts', undefined, { authorization: 'Bearer guess-21' })).status, 429);
      const next = await s.call('GET', '/api/v1/hosts');
      assert.equal(next.status, 429);
      assert.equal(next.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.match(next.headers.get('retry-after') ?? '', /^\d+$/);
      assert.match(next.body.detail_ja, /失敗が続いたため/);
      assert.match(next.body.detail, /Too many failed attempts/);
    });

    it('forged citizen and staff links from one address are stopped with a readable page', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) statuses.push((await fetch(`${s.url}/app/${i % 2 ? 'c' : 's'}/forged-${i}`)).status);
      assert.deepEqual([...new Set(statuses.slice(0, 30))], [404]);
      assert.equal(statuses.at(-1), 429);
      const page = await fetch(`${s.url}/app/c/another`);
      assert.equal(page.status, 429);
      assert.match(await page.text(), /しばらくお待ちください/);
    });
  });

  describe(`security headers (${kind})`, function () {
    this.timeout(30_000);
    let s: TestServer;
    serverForEachTest(kind, (x) => (s = x), { once: true });

    it('nosniff, a CSP, no framing and no referrer across sites on every kind of answer', async () => {
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      const { cookie } = await signIn(s.url);
      const answers: Array<[string, Record<string, string>]> = [
        ['/', {}],
        ['/healthz', {}],
        ['/api/v1/hosts', { authorization: `Bearer ${ADMIN_TOKEN}` }],
        ['/api/v1/openapi.json', {}],
        ['/nope', {}],
        ['/api/v1/nope', { authorization: `Bearer ${ADMIN_TOKEN}` }],
        ['/admin/login', {}],
        ['/admin/templates', { cookie }],
        ['/admin/templates/invitation/ja', { cookie }],
        ['/console', { cookie }],
        [`/dry-run/meetings/dryrun-${c.id}`, {}],
      ];
      for (const [p, headers] of answers) {
        const res = await fetch(`${s.url}${p}`, { headers, redirect: 'manual' });
        await res.arrayBuffer();
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
        const csp = res.headers.get('content-security-policy') ?? '';
        assert.match(csp, /default-src 'none'/, `${p}: ${csp}`);
        assert.match(csp, /frame-ancestors 'none'/, p);
        assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, `${p}: no inline script`);
        assert.equal(res.headers.get('x-frame-options'), 'DENY', p);
        assert.equal(res.headers.get('referrer-policy'), 'same-origin', p);
        assert.equal(res.headers.get('strict-transport-security'), null, `${p}: no HSTS on http`);
      }
      const admin = await (await fetch(`${s.url}/admin/templates`, { headers: { cookie } })).text();
      assert.doesNotMatch(admin, /<script>/, 'no inline script on admin pages');
      assert.match(admin, /<script src="\/assets\/staff\.[0-9a-f]{10}\.js" defer><\/script>/);
      const console = await (await fetch(`${s.url}/console`, { headers: { cookie } })).text();
      assert.doesNotMatch(console, /<script>| style="/, 'no inline script or style attribute in the console');
    });

    it('pages and answers with personal data are never cached', async () => {
      const c = (await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-02T10:00:00+09:00' }))).body;
      await s.running.worker.idle();
      const { cookie } = await signIn(s.url);
      const link = new URL(citizenLink(s.url, await linkKey(s.running.store.db, s.config.secretKey), c.id, Date.parse(c.end))).pathname;
      for (const [p, headers] of [
        [`/api/v1/consultations/${c.id}`, { authorization: `Bearer ${ADMIN_TOKEN}` }],
        ['/api/v1/consultations?from=2026-12-01&to=2026-12-31', { authorization: `Bearer ${ADMIN_TOKEN}` }],
        ['/admin/privacy', { cookie }],
        ['/console', { cookie }],
        [link, {}],
        [`/dry-run/meetings/dryrun-${c.id}`, {}],
      ] as Array<[string, Record<string, string>]>) {
        const res = await fetch(`${s.url}${p}`, { headers });
        await res.arrayBuffer();
        assert.equal(res.status, 200, p);
        assert.equal(res.headers.get('cache-control'), 'no-store', p);
      }
    });

    it('HSTS when the public address is https', async () => {
      const https = await startTestServer(kind, { PUBLIC_BASE_URL: 'https://madoguchi.city.example.jp' });
      try {
        for (const p of ['/', '/api/v1/openapi.json', '/admin/login', '/app/webex']) {
          const res = await fetch(`${https.url}${p}`);
          await res.arrayBuffer();
          assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000', p);
        }
      } finally {
        await https.close();
      }
    });
  });

  describe(`department settings are for admins (${kind})`, function () {
    this.timeout(30_000);
    let s: TestServer;
    serverForEachTest(kind, (x) => (s = x));
    const channelOf = async () =>
      (await s.running.store.db.selectFrom('departments').select('teams_channel').where('name', '=', '税務課').executeTakeFirstOrThrow()).teams_channel;

    it('a staff member’s card action cannot relink a department’s channel (Webex, another Teams channel, a replayed card)', async () => {
      const deps = botDeps(s);
      const channel = '19:evil@thread.tacv2';
      const webexStaff: Sender = { platform: 'webex', userId: 'p-1', displayName: '職員 一', email: 'ichi@city.example.jp', space: 'room-1' };
      const refused = await handleAction(deps, webexStaff, { verb: 'link-channel', channel, department: '税務課' });
      assert.match(refused.text, /管理者が管理画面/);
      assert.equal(await channelOf(), '');
      // From Teams, but pressed in another channel than the card's (or with no card at all).
      const offer = await offerChannelLink(s.running.store.db, s.clock.now, '19:tax@thread.tacv2');
      const teamsStaff: Sender = { platform: 'teams', userId: 'aad-1', displayName: '職員 二', space: channel };
      assert.match((await handleAction(deps, teamsStaff, { verb: 'link-channel', channel, offer, department: '税務課' })).text, /管理者が管理画面/);
      assert.match(
        (
          await handleAction(
            deps,
            { ...teamsStaff, space: '19:tax@thread.tacv2' },
            { verb: 'link-channel', channel: '19:tax@thread.tacv2', offer: 'made-up', department: '税務課' },
          )
        ).text,
        /管理者が管理画面/,
      );
      assert.equal(await channelOf(), '');
      // The install card, in its own channel: linked once, audited; the same card again is refused.
      const inChannel = { ...teamsStaff, space: '19:tax@thread.tacv2' };
      assert.match(
        (await handleAction(deps, inChannel, { verb: 'link-channel', channel: '19:tax@thread.tacv2', offer, department: '税務課' })).text,
        /このチャネルで税務課への呼び出しを受けます/,
      );
      assert.equal(await channelOf(), '19:tax@thread.tacv2');
      assert.match(
        (await handleAction(deps, inChannel, { verb: 'link-channel', channel: '19:tax@thread.tacv2', offer, department: '福祉課' })).text,
        /管理者が管理画面/,
      );
      const audit = await s.running.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'department.teams_channel').execute();
      assert.equal(audit.length, 1);
      assert.match(audit[0]!.actor, /職員 二/);
      assert.match(audit[0]!.after_json ?? '', /install card/);
    });
  });
}

if (PG_URL) {
  describe('throttling across instances (postgres)', function () {
    this.timeout(60_000);
    it('failures on one instance count on the other', async () => {
      const place = await freshPlace('postgres');
      const config = testConfig(place.env);
      const options = { log: createLogger('silent'), clock: () => TEST_NOW, workerPollMs: 60_000, pgSchema: place.pgSchema! };
      const [a, b] = await Promise.all([startServer(config, options), startServer(config, options)]);
      try {
        for (let i = 0; i < 21; i++) {
          const res = await fetch(`${(i % 2 ? a : b)!.url}/api/v1/hosts`, { headers: { authorization: `Bearer guess-${i}` } });
          assert.equal(res.status, i < 20 ? 401 : 429, `guess ${i}`);
        }
        assert.equal((await fetch(`${a!.url}/api/v1/hosts`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 429);
      } finally {
        await Promise.all([a!.close(), b!.close()]);
        await place.cleanup();
      }
    });
  });
}
