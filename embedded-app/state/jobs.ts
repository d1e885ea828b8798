// The in-meeting app's jobs: the department told of a refused consent, and the daily purge of consent records and
// app answers past CONSENT_RETENTION_DAYS (which plans its next run). server.ts binds them to AppStateJobDeps.
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../../core/store/db.ts';
import type { IdSource } from '../../core/ids.ts';
import type { ChatPlatforms } from '../../core/chat.ts';
import { defineJob } from '../../core/jobs.ts';
import { ensureScheduled } from '../../core/outbox.ts';
import { APP_PURGE, CONSENT_REFUSED } from './job-kinds.ts';
import { deliverConsentRefused } from './notices.ts';
import { nextPurge, purgeAppRecords } from './retention.ts';

export interface AppStateJobDeps {
  readonly store: Store;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly log: Logger;
  readonly config: Pick<Config, 'app'>;
  readonly chat: ChatPlatforms;
}

const consentRefused = defineJob(CONSENT_REFUSED, async (p, job, d: AppStateJobDeps) => {
  await deliverConsentRefused({ db: d.store.db, ids: d.ids, clock: d.clock, platforms: d.chat }, job.consultationId!, p.consentId);
});

const purge = defineJob(APP_PURGE, async (_p, job, d: AppStateJobDeps) => {
  const purged = await purgeAppRecords(d.store.db, d.ids, d.clock(), d.config.app.consentRetentionDays);
  if (purged.consents + purged.progress > 0) d.log.info(purged, 'app records past retention purged');
  await ensureScheduled(d.store.db, d.ids, d.clock(), APP_PURGE, {}, nextPurge(d.clock()), job.id);
});

export const APP_STATE_JOBS = [consentRefused, purge] as const;
