// The relay's jobs: tell the people concerned what happened (each step's notice), and alert everyone again when
// nobody answered in time. Defined here; server.ts binds them to RelayJobDeps.
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import type { Store } from '../core/store/db.ts';
import type { IdSource } from '../core/ids.ts';
import type { ChatPlatforms } from '../core/chat.ts';
import type { AppEvents } from '../core/events.ts';
import { defineJob } from '../core/jobs.ts';
import { deliverRelayEvent } from './notices.ts';
import { escalateRelay, relayDepsOf } from './store.ts';
import { RELAY_ESCALATE, RELAY_NOTIFY } from './job-kinds.ts';

export interface RelayJobDeps {
  readonly store: Store;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly log: Logger;
  readonly config: Pick<Config, 'relay' | 'publicBaseUrl' | 'secretKey'>;
  readonly chat: ChatPlatforms;
  readonly events?: AppEvents | undefined;
}

const notify = defineJob(RELAY_NOTIFY, async (p, _job, d: RelayJobDeps) => {
  await deliverRelayEvent(
    { db: d.store.db, ids: d.ids, clock: d.clock, log: d.log, platforms: d.chat, publicBaseUrl: d.config.publicBaseUrl, secretKey: d.config.secretKey },
    p.relayId,
    p.event,
    p.staffId,
  );
});

const escalate = defineJob(RELAY_ESCALATE, async (p, _job, d: RelayJobDeps) => {
  await escalateRelay(relayDepsOf({ ...d, db: d.store.db }), p.relayId);
});

export const RELAY_JOBS = [notify, escalate] as const;
