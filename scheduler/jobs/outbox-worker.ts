// Bree job (runs in a worker thread): does every due outbox job with its own store connection, then ends.
import { parentPort, workerData } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import type { Config } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { openStore } from '../../core/store/db.ts';
import { createIdSource } from '../../core/ids.ts';
import { createSecretStore } from '../../core/secrets.ts';
import { createProviders } from '../../core/conferencing/index.ts';
import { runDueJobs } from './run.ts';
import { createMailTransport } from '../../templates/mail.ts';
import { createChatPlatforms } from '../../bot/index.ts';

/** What the parent passes: the parsed configuration (structured-cloned, so Buffers arrive as Uint8Array). */
interface OutboxWorkerData {
  readonly config: Omit<Config, 'secretKey'> & { readonly secretKey: Uint8Array | null };
}

const data = workerData as OutboxWorkerData;
const config: Config = { ...data.config, secretKey: data.config.secretKey ? Buffer.from(data.config.secretKey) : null };
const log = createLogger(config.logLevel).child({ worker: 'outbox' });
const store = await openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
try {
  const ids = createIdSource();
  const clock = Date.now;
  const secrets = config.secretKey ? createSecretStore(store.db, config.secretKey, clock) : null;
  const providers = createProviders({ config, ids, random: randomBytes, secrets, clock });
  const deps = { store, ids, clock, log, providers, config, mail: createMailTransport(config), chat: await createChatPlatforms(config, log) };
  let ran = 0;
  for (let n = await runDueJobs(deps); n > 0; n = await runDueJobs(deps)) ran += n;
  if (ran > 0) log.info({ ran }, 'outbox jobs done');
} finally {
  await store.close();
}
parentPort?.postMessage('done');
