// The in-meeting app's job kinds, declared apart from their work (jobs.ts) so that the state module can queue them.
import { z } from 'zod';
import { jobKind } from '../../core/outbox.ts';

/** The citizen did not agree to the rules: tell the consultation's department. */
export const CONSENT_REFUSED = jobKind('app.consent_refused', z.object({ consentId: z.string() }));
/** Daily: consents and app answers past CONSENT_RETENTION_DAYS go. */
export const APP_PURGE = jobKind('app.purge', z.object({}));
