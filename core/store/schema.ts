// Table types of the store. Times are UTC ISO 8601 strings ('2026-12-01T01:00:00.000Z') on both databases.
import type { Generated, Kysely } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

type Timestamp = string;

export interface HostTable {
  id: string;
  display_name: string;
  provider: string;
  account: string;
  created_at: Timestamp;
  retired_at: Timestamp | null;
  /** The site (main office or branch) whose counter device this is. */
  site_id: string | null;
}

export interface SiteTable {
  id: string;
  name: string;
  /** 'main' (本庁) | 'branch' (支所) */
  kind: string;
  phone: string;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

export interface DepartmentTable {
  id: string;
  name: string;
  /** JSON array of strings. */
  aliases: string;
  contact: string;
  /** Webex space that receives this department's relay alerts ('' = none). */
  webex_room_id: Generated<string>;
  /** Teams channel (conversation reference, JSON) for alerts ('' = none). */
  teams_channel: Generated<string>;
  created_at: Timestamp;
  /** The department's own signal tower ('' = LAMP_WEBHOOK_URL). */
  lamp_url: Generated<string>;
}

export interface ConsultationTable {
  id: string;
  host_id: string;
  start_at: Timestamp;
  end_at: Timestamp;
  /** end_at + the buffer in force when booked; the store forbids two [start_at, block_end_at) overlapping on one host. */
  block_end_at: Timestamp;
  department_id: string;
  citizen_name: string;
  citizen_email: string;
  topic: string;
  consultation_type: string;
  /** 'ja' or 'en': the language of the citizen's emails. */
  citizen_locale: string;
  /** Held by the worker running one of this consultation's jobs (one at a time, across instances). */
  job_lease_until: string | null;
  booked_by: string;
  status: string;
  status_note: string;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** When the citizen's name, email and free text were removed (retention period, or an admin on request). */
  personal_data_erased_at: Timestamp | null;
  /** Bumped by what the citizen and the meeting see (time, host, cancellation); `version` counts every change. */
  schedule_version: number;
  /** The time the citizen was last told by mail (null: never told, or before this was kept). */
  told_start_at: Timestamp | null;
  told_end_at: Timestamp | null;
  /** 'booked' (planned) | 'walk_in' (a citizen at a branch, now). */
  kind: string;
  /** The site of the host when it was made (kept for the figures). */
  site_id: string | null;
}

export interface MeetingTable {
  consultation_id: string;
  /** The host account the meeting was made on; a move to another host makes a new meeting. */
  host_id: string;
  /** The consultation's schedule_version this meeting matches. */
  synced_version: number;
  provider: string;
  provider_meeting_id: string;
  meeting_number: string;
  password: string;
  join_url: string;
  /** JSON array of { label, number }. */
  dial_in: string;
  sip_address: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  role: string;
  token_hash: string;
  created_by: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  /** A device token's host (counter) or department (board); '' for API tokens. */
  scope: Generated<string>;
}

export interface AuditLogTable {
  id: string;
  at: Timestamp;
  actor: string;
  action: string;
  entity: string;
  entity_id: string;
  before_json: string | null;
  after_json: string | null;
}

export interface IdempotencyKeyTable {
  actor: string;
  key: string;
  request_hash: string;
  response_status: number;
  response_body: string;
  /** The consultation the stored response shows (erased with its personal data). */
  consultation_id: string | null;
  created_at: Timestamp;
}

export interface CalendarExceptionTable {
  id: string;
  kind: string;
  start_date: string;
  end_date: string;
  start_minute: number | null;
  end_minute: number | null;
  note: string;
  created_by: string;
  created_at: Timestamp;
}

export interface OutboxTable {
  id: string;
  kind: string;
  consultation_id: string | null;
  payload: string;
  status: string;
  attempts: Generated<number>;
  run_after: Timestamp;
  locked_until: Timestamp | null;
  last_error: string;
  created_at: Timestamp;
  done_at: Timestamp | null;
}

export interface SecretTable {
  name: string;
  /** AES-256-GCM: base64url(iv).base64url(tag).base64url(ciphertext). */
  sealed: string;
  updated_at: Timestamp;
}

export interface TemplateVersionTable {
  id: string;
  kind: string;
  locale: string;
  version: number;
  subject: string;
  text_body: string;
  html_body: string;
  note: string;
  created_by: string;
  created_at: Timestamp;
}

export interface AdminUserTable {
  id: string;
  email: string;
  name: string;
  /** scrypt$N$r$p$salt$hash */
  password_hash: string;
  created_at: Timestamp;
  disabled_at: Timestamp | null;
}

export interface AdminSessionTable {
  /** sha256 of the session cookie value. */
  id_hash: string;
  principal: string;
  name: string;
  email: string;
  csrf: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface StaffTable {
  id: string;
  display_name: string;
  department_id: string | null;
  /** 'webex' | 'teams' | 'console' */
  platform: string;
  platform_user_id: string;
  email: string;
  /** 1 when on duty for relays to the department. */
  on_duty: number;
  created_at: Timestamp;
  /** Where they work (main office or a branch). */
  site_id: string | null;
  /** When their duty ends by itself (DUTY_ENDS_AT), or null. */
  duty_until: Generated<Timestamp | null>;
}

export interface RelayTable {
  id: string;
  consultation_id: string;
  from_department_id: string | null;
  to_department_id: string;
  note: string;
  /** Staff id, or an API actor. */
  requested_by: string;
  /** requested → accepted → done; or declined / cancelled. */
  status: string;
  accepted_by: string | null;
  declined_by: string | null;
  requested_at: Timestamp;
  accepted_at: Timestamp | null;
  finished_at: Timestamp | null;
  escalated_at: Timestamp | null;
}

export interface RelayRecipientTable {
  relay_id: string;
  staff_id: string;
  alerted_at: Timestamp;
}

export interface RelayDeclineTable {
  relay_id: string;
  staff_id: string;
  declined_at: Timestamp;
}

export interface ChatMessageTable {
  id: string;
  platform: string;
  /** A department's space/channel ('dept:<id>') or a person ('staff:<id>'). */
  space: string;
  platform_message_id: string;
  relay_id: string | null;
  /** 'alert' | 'alert-escalated' | 'relay-status' | 'direct' | 'reply' */
  purpose: string;
  text: string;
  card: string | null;
  created_at: Timestamp;
  removed_at: Timestamp | null;
}

export interface ChatDeliveryTable {
  platform: string;
  delivery_id: string;
  received_at: Timestamp;
}

export interface AppKeyTable {
  name: string;
  /** base64url; signs citizen links (not a credential for any outside service). */
  value: string;
}

export interface ConsentTable {
  id: string;
  consultation_id: string;
  /** The hash of the exact consent text shown. */
  text_version: string;
  /** JSON: the items shown, by id. */
  items: string;
  /** 1 agreed, 0 declined. */
  agreed: number;
  /** 'link' | 'webex' | 'teams' */
  entry_point: string;
  /** The language the text was read in ('ja' | 'en'). */
  lang: Generated<string>;
  created_at: Timestamp;
}

export interface AppProgressTable {
  consultation_id: string;
  /** welcome | consent | documents | end */
  step: string;
  /** JSON: item id → 'have' | 'missing'. */
  checklist: string;
  /** JSON: { satisfaction, again, comment }, once answered. */
  survey: string | null;
  updated_at: Timestamp;
  /** JSON: item id → { by, at } for documents staff have seen. */
  staff_checked: Generated<string>;
  /** The step staff moved the citizen to, and when (the citizen's page follows). */
  pushed_step: string | null;
  pushed_at: Timestamp | null;
}

export interface AppTextTable {
  hash: string;
  /** 'consent' | 'checklist' */
  kind: string;
  body: string;
  created_at: Timestamp;
}

export interface AppContentVersionTable {
  id: string;
  kind: string;
  /** 'default' for the consent text; the consultation type for a checklist. */
  key: string;
  version: number;
  hash: string;
  note: string;
  created_by: string;
  created_at: Timestamp;
}

export interface ChannelLinkOfferTable {
  /** sha256 of the one-time value in the install card. */
  nonce_hash: string;
  platform: string;
  channel: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** One row (id 1): raised by triggers on every write to the reference tables (migration 0015). */
export interface ReferenceVersionTable {
  id: number;
  version: number | string | bigint;
}

export interface Schema {
  reference_version: ReferenceVersionTable;
  channel_link_offers: ChannelLinkOfferTable;
  app_texts: AppTextTable;
  app_content_versions: AppContentVersionTable;
  consents: ConsentTable;
  app_progress: AppProgressTable;
  app_keys: AppKeyTable;
  chat_messages: ChatMessageTable;
  chat_deliveries: ChatDeliveryTable;
  staff: StaffTable;
  relays: RelayTable;
  relay_recipients: RelayRecipientTable;
  relay_declines: RelayDeclineTable;
  template_versions: TemplateVersionTable;
  admin_users: AdminUserTable;
  admin_sessions: AdminSessionTable;
  secrets: SecretTable;
  hosts: HostTable;
  sites: SiteTable;
  departments: DepartmentTable;
  consultations: ConsultationTable;
  meetings: MeetingTable;
  api_tokens: ApiTokenTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeyTable;
  calendar_exceptions: CalendarExceptionTable;
  outbox: OutboxTable;
}

export type Db = Kysely<Schema>;
