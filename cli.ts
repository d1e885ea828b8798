// Command line for admins: API tokens (create, list, revoke) and set-up checks of Webex / Teams, on the configured store.
import { parseArgs } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildPackage, manifestInput } from './manifest/index.ts';
import { ConfigError, loadConfig, loadDotEnv } from './core/config.ts';
import { isUniqueViolation, openStore } from './core/store/db.ts';
import { createAdminUser } from './core/auth/admins.ts';
import { createIdSource } from './core/ids.ts';
import { ROLES, issueToken, listTokens, revokeToken } from './core/auth/tokens.ts';
import type { Role } from './core/auth/tokens.ts';
import type { Config } from './core/config.ts';
import type { Store } from './core/store/db.ts';
import { createSecretStore } from './core/secrets.ts';
import { checkAccount } from './core/conferencing/index.ts';
import { formatCheck } from './core/conferencing/check.ts';
import type { CheckLine } from './core/conferencing/check.ts';

const USAGE = `使い方 / Usage:
  npm run token -- create --name "税務課 田中" [--role staff|admin]
  npm run token -- list
  npm run token -- revoke <token id>
  npm run admin -- create --email soudan@city.example.jp --name "山田" --password "…"
  npm run manifest
  npm run check:webex
  npm run check:teams`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

loadDotEnv();
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' }, role: { type: 'string', default: 'staff' }, email: { type: 'string' }, password: { type: 'string' } },
});
const [group, command, arg] = positionals;
let config: ReturnType<typeof loadConfig>;
try {
  // The Teams package needs only the public address and the app id: the Graph credentials may live elsewhere.
  config = loadConfig(process.env, { teamsAppOnly: group === 'manifest' });
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
if (group === 'manifest') {
  const made = manifestInput(config, (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }).version);
  if (!made.ok) fail(`${made.reason.ja}\n${made.reason.en}`);
  const pkg = buildPackage(made.value);
  const out = path.join(config.dataDir, 'teams', 'madoguchi-teams.zip');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, pkg.zip);
  process.stdout.write(`Teams アプリのパッケージを書きました / wrote the Teams app package: ${out}\n`);
  process.exit(0);
}
if ((group !== 'token' && group !== 'check' && group !== 'admin') || !command) fail('コマンドを指定してください。 / Give a command.');

async function runCheck(cfg: Config, store: Store, what: string): Promise<ReadonlyArray<CheckLine>> {
  if (what === 'webex') {
    const w = cfg.webex;
    if (!w) fail('Webex の設定がありません（WEBEX_ACCESS_TOKEN または WEBEX_CLIENT_ID などを .env に）。 / Webex is not configured (see .env.example).');
    return checkAccount({ config: cfg, secrets: cfg.secretKey ? createSecretStore(store.db, cfg.secretKey) : null, clock: Date.now }, 'webex', w.hostEmail);
  }
  if (what === 'teams') {
    const t = cfg.teams;
    if (!t) fail('Teams の設定がありません（TEAMS_TENANT_ID などを .env に）。 / Teams is not configured (see .env.example).');
    return checkAccount({ config: cfg, secrets: null, clock: Date.now }, 'teams', t.hostUserId);
  }
  fail(`「${what}」は確認できません（webex か teams）。 / Unknown check "${what}" (webex or teams).`);
}

const store = await openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
try {
  const now = Date.now();
  if (group === 'admin') {
    if (command !== 'create') fail(`「${command}」というコマンドはありません。 / Unknown command "${command}".`);
    const email = values.email?.trim() ?? '';
    const name = values.name?.trim() ?? '';
    const password = values.password ?? process.env.ADMIN_PASSWORD ?? '';
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fail('--email に管理者のメールアドレスを指定してください。 / Give --email.');
    if (!name) fail('--name に名前を指定してください。 / Give --name.');
    if (password.length < 12) fail('パスワードは 12 文字以上にしてください（--password または ADMIN_PASSWORD）。 / The password needs at least 12 characters.');
    try {
      const created = await createAdminUser(store.db, createIdSource(), now, { email, name, password });
      process.stdout.write(`管理者を作りました / admin created: ${email} (id ${created.id})\n`);
    } catch (error) {
      if (isUniqueViolation(error)) fail(`${email} の管理者はすでにいます。 / An admin with ${email} already exists.`);
      throw error;
    }
  } else if (group === 'check') {
    const lines = await runCheck(config, store, command);
    process.stdout.write(`${formatCheck(lines)}\n`);
    process.exitCode = lines.every((l) => l.ok) ? 0 : 1;
  } else
    switch (command) {
      case 'create': {
        const name = values.name?.trim();
        if (!name) fail('--name に名前を指定してください（例: --name "税務課 田中"）。 / Give --name.');
        if (!ROLES.includes(values.role as Role)) fail(`--role は ${ROLES.join(' か ')} です。 / --role must be ${ROLES.join(' or ')}.`);
        const t = await issueToken(store.db, createIdSource(), now, { name, role: values.role as Role, createdBy: 'cli' });
        process.stdout.write(`${t.role} token for "${t.name}" (id ${t.id}) — この一度だけ表示します / shown only once:\n${t.token}\n`);
        break;
      }
      case 'list':
        for (const t of await listTokens(store.db)) {
          process.stdout.write(`${t.id}\t${t.role}\t${t.name}\t${t.createdAt}${t.revokedAt ? `\trevoked ${t.revokedAt}` : ''}\n`);
        }
        break;
      case 'revoke':
        if (!arg) fail('無効にするトークンの id を指定してください。 / Give the token id.');
        if (!(await revokeToken(store.db, arg, now))) fail(`トークン ${arg} は見つからないか、すでに無効です。 / Token ${arg} not found or already revoked.`);
        process.stdout.write(`revoked ${arg}\n`);
        break;
      default:
        fail(`「${command}」というコマンドはありません。 / Unknown command "${command}".`);
    }
} finally {
  await store.close();
}
