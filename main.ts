// The entry: read configuration, start the server, print where it is, stop cleanly on a signal. `npm start` runs it
// through start.mjs, which switches on Node's compile cache before this file is read; run directly (`node main.ts`), it
// switches it on here, before the other modules are imported.
import module from 'node:module';

module.enableCompileCache?.();
const { ConfigError, loadConfig, loadDotEnv } = await import('./core/config.ts');
const { createLogger } = await import('./core/log.ts');
const { startServer } = await import('./server.ts');
const { listHosts } = await import('./scheduler/hosts.ts');
const { LinkKeyError } = await import('./core/links.ts');
const { freeSlots } = await import('./scheduler/consultations.ts');
const { listDepartments } = await import('./scheduler/departments.ts');
const { DAY_MS, toLocalDate } = await import('./core/time.ts');

loadDotEnv();
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
const log = createLogger(config.logLevel);
let running: Awaited<ReturnType<typeof startServer>>;
try {
  running = await startServer(config, { log });
} catch (error) {
  if (error instanceof LinkKeyError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    process.stderr.write(
      `ポート ${config.port} を使えません（${code === 'EADDRINUSE' ? 'すでに別のプログラムが使っています' : '権限がありません'}）。PORT=${config.port + 1} のように別の番号を指定してください。\n` +
        `Port ${config.port} is not available (${code}); set another, e.g. PORT=${config.port + 1}.\n`,
    );
    process.exit(1);
  }
  throw error;
}
const hosts = await listHosts(running.store.db);
const mode = config.databaseUrl ? 'PostgreSQL' : `SQLite (${config.sqlitePath})`;
const lines = [
  '',
  `窓口 madoguchi が起動しました / madoguchi is running`,
  `  ${config.publicBaseUrl}/                      start page / 案内ページ`,
  `  ${config.publicBaseUrl}/api/v1/openapi.json   API description / API 仕様`,
  `  ${config.publicBaseUrl}/admin                 admin page / 管理画面`,
  `  ${config.publicBaseUrl}/console               staff console / 職員コンソール`,
  `  ${config.publicBaseUrl}/counter               branch counter page / 支所の窓口画面`,
  `  ${config.publicBaseUrl}/board                 department alert board / 課の呼び出しボード`,
  `  ${config.publicBaseUrl}/app/webex             Webex embedded app start URL / Webex 埋め込みアプリの開始 URL`,
  `  ${config.publicBaseUrl}/healthz               health check / 稼働確認`,
  `  store / データ: ${mode}`,
];
if (hosts.every((h) => h.provider === 'dryrun')) {
  lines.push(
    '',
    '  試験運用（ドライラン）です。会議はこのサーバーの中で作られ、実際のビデオ会議はありません。',
    '  Dry run: meetings are made inside this server; there is no real video meeting.',
  );
}
if (!config.mail.smtpUrl) {
  lines.push(`  メールは送信せず ${config.mail.outboxDir} に .eml で保存します / Email is written to ${config.mail.outboxDir} (no SMTP_URL)`);
}
if (running.departmentsWithoutContact.length > 0) {
  lines.push(
    '',
    `  連絡先（電話番号と受付時間）のない課: ${running.departmentsWithoutContact.join('、')}`,
    `  ${config.mail.smtpUrl ? 'この課の相談は予約できません。' : 'メールを実際に送る前に、'}${config.publicBaseUrl}/admin/departments で入れるか、CITY_CONTACT を設定してください。`,
    `  Departments without a contact (phone and hours): set one in /admin/departments, or CITY_CONTACT${config.mail.smtpUrl ? ' (they cannot be booked until then)' : ', before real mail is sent'}.`,
  );
}
if (running.bootstrapToken?.supplied) {
  // The operator chose it: it is not printed back (the terminal may be logged).
  lines.push('', '  管理者 API トークン: BOOTSTRAP_ADMIN_TOKEN の値を登録しました / Admin API token: the BOOTSTRAP_ADMIN_TOKEN value is registered');
} else if (running.bootstrapToken) {
  lines.push(
    '',
    `  管理者 API トークン（この一度だけ表示します。安全な場所に保管してください）`,
    `  Admin API token (shown only this once; keep it safe):`,
    `    ${running.bootstrapToken.token}`,
  );
}
// A working example for whoever tries it now: the next free hour, not a date in a README that has passed.
const now = Date.now();
const free = await freeSlots(running.deps, { from: toLocalDate(now), to: toLocalDate(now + 14 * DAY_MS), durationMinutes: 60 });
const departments = (await listDepartments(running.store.db)).map((d) => d.name);
const department = departments.includes('税務課') ? '税務課' : departments[0];
if (free.ok && free.value[0] && department) {
  const slot = free.value[0];
  const day = slot.start.slice(0, 10);
  const booking = JSON.stringify({ start: slot.start, durationMinutes: 60, department, citizen: { name: '山田太郎', email: 'yamada@example.jp' } });
  lines.push(
    '',
    `  試してみる（次の空いている 1 時間: ${slot.start}） / Try it (the next free hour):`,
    `    TOKEN=${running.bootstrapToken && !running.bootstrapToken.supplied ? running.bootstrapToken.token : '（管理者 API トークン / the admin API token）'}`,
    `    curl -s -H "Authorization: Bearer $TOKEN" "${config.publicBaseUrl}/api/v1/slots?from=${day}&to=${day}&duration=60"`,
    `    curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '${booking}' ${config.publicBaseUrl}/api/v1/consultations`,
  );
}
process.stdout.write(`${lines.join('\n')}\n\n`);

const stop = async (signal: string) => {
  log.info({ signal }, 'shutting down');
  await running.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
