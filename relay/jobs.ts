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
import { RELAYS_EVENT, escalateRelay, relayDepsOf } from './store.ts';
import { DUTY_END, LAMP_SIGNAL, RELAY_ESCALATE, RELAY_NOTIFY } from './job-kinds.ts';
import { endDuty } from './staff.ts';
import { sendLampSignal } from './lamp.ts';

export interface RelayJobDeps {
  readonly store: Store;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly log: Logger;
  readonly config: Pick<Config, 'relay' | 'publicBaseUrl' | 'secretKey' | 'lamp'>;
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

const lamp = defineJob(LAMP_SIGNAL, async (p, _job, d: RelayJobDeps) => {
  if (!d.config.lamp) return;
  await sendLampSignal({ db: d.store.db, lamp: d.config.lamp, clock: d.clock }, p.relayId, p.event);
});

const dutyEnd = defineJob(DUTY_END, async (p, _job, d: RelayJobDeps) => {
  if (await endDuty(d.store.db, p.staffId, p.until)) await d.events?.changed(RELAYS_EVENT);
});

export const RELAY_JOBS = [notify, escalate, lamp, dutyEnd] as const;
