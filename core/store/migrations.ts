// Versioned, forward-only migrations, one list for SQLite and PostgreSQL, applied at start-up.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Migration, MigrationProvider } from 'kysely/migration';
import type { DialectName } from './schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: a migration runs against the schema as it was then, not as schema.ts has it now
type AnyDb = Kysely<any>;

function foundation(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('hosts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('account', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('retired_at', ts)
        .execute();

      await db.schema
        .createTable('departments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('aliases', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('contact', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', ts, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('consultations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id'))
        .addColumn('start_at', ts, (c) => c.notNull())
        .addColumn('end_at', ts, (c) => c.notNull())
        .addColumn('block_end_at', ts, (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id'))
        .addColumn('citizen_name', 'text', (c) => c.notNull())
        .addColumn('citizen_email', 'text', (c) => c.notNull())
        .addColumn('topic', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('consultation_type', 'text', (c) => c.notNull())
        .addColumn('booked_by', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addCheckConstraint('consultations_times_ordered', sql`start_at < end_at and end_at <= block_end_at`)
        .execute();
      await db.schema.createIndex('consultations_host_start').on('consultations').columns(['host_id', 'start_at']).execute();
      await db.schema.createIndex('consultations_start').on('consultations').column('start_at').execute();

      // No double booking, enforced by the database itself.
      if (dialect === 'postgres') {
        await sql`create extension if not exists btree_gist`.execute(db);
        await sql`alter table consultations add constraint consultations_no_overlap
          exclude using gist (host_id with =, tstzrange(start_at, block_end_at, '[)') with &&)
          where (status <> 'cancelled')`.execute(db);
      } else {
        const overlap = (self: string) =>
          sql.raw(`new.status <> 'cancelled' and exists (
            select 1 from consultations c
            where c.host_id = new.host_id and c.status <> 'cancelled' ${self}
              and c.start_at < new.block_end_at and c.block_end_at > new.start_at)`);
        await sql`create trigger consultations_no_overlap_insert before insert on consultations
          when ${overlap('')}
          begin select raise(abort, 'consultation_overlap'); end`.execute(db);
        await sql`create trigger consultations_no_overlap_update
          before update of host_id, start_at, block_end_at, status on consultations
          when ${overlap('and c.id <> new.id')}
          begin select raise(abort, 'consultation_overlap'); end`.execute(db);
      }

      await db.schema
        .createTable('meetings')
        .addColumn('consultation_id', 'text', (c) => c.primaryKey().references('consultations.id'))
        .addColumn('host_id', 'text', (c) => c.notNull().references('hosts.id'))
        .addColumn('synced_version', 'integer', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_meeting_id', 'text', (c) => c.notNull())
        .addColumn('meeting_number', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('password', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('join_url', 'text', (c) => c.notNull())
        .addColumn('dial_in', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('sip_address', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('revoked_at', ts)
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', ts, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('before_json', 'text')
        .addColumn('after_json', 'text')
        .execute();
      await db.schema.createIndex('audit_log_entity').on('audit_log').columns(['entity', 'entity_id']).execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('response_status', 'integer', (c) => c.notNull())
        .addColumn('response_body', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['actor', 'key'])
        .execute();

      await db.schema
        .createTable('calendar_exceptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('start_date', 'text', (c) => c.notNull())
        .addColumn('end_date', 'text', (c) => c.notNull())
        .addColumn('start_minute', 'integer')
        .addColumn('end_minute', 'integer')
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('consultation_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('run_after', ts, (c) => c.notNull())
        .addColumn('locked_until', ts)
        .addColumn('last_error', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('done_at', ts)
        .execute();
      await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'run_after']).execute();
    },
  };
}

function secrets(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('secrets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
    },
  };
}

function mailAndAdmin(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('consultations')
        .addColumn('citizen_locale', 'text', (c) => c.notNull().defaultTo('ja'))
        .execute();
      await db.schema.alterTable('consultations').addColumn('job_lease_until', ts).execute();
      await db.schema
        .createTable('template_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text_body', 'text', (c) => c.notNull())
        .addColumn('html_body', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addUniqueConstraint('template_versions_kind_locale_version', ['kind', 'locale', 'version'])
        .execute();
      await db.schema
        .createTable('admin_users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('disabled_at', ts)
        .execute();
      await db.schema
        .createTable('admin_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('csrf', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .execute();
    },
  };
}

function staffAndRelays(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: AnyDb) {
      await db.schema
        .alterTable('departments')
        .addColumn('webex_room_id', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('departments')
        .addColumn('teams_channel', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .createTable('staff')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.references('departments.id'))
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('platform_user_id', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('on_duty', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addUniqueConstraint('staff_platform_user', ['platform', 'platform_user_id'])
        .execute();
      await db.schema
        .createTable('relays')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('consultation_id', 'text', (c) => c.notNull().references('consultations.id'))
        .addColumn('from_department_id', 'text')
        .addColumn('to_department_id', 'text', (c) => c.notNull().references('departments.id'))
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('accepted_by', 'text')
        .addColumn('declined_by', 'text')
        .addColumn('requested_at', ts, (c) => c.notNull())
        .addColumn('accepted_at', ts)
        .addColumn('finished_at', ts)
        .addColumn('escalated_at', ts)
        .execute();
      // One open relay per consultation, enforced by the database.
      await sql`create unique index relays_one_open on relays (consultation_id) where status in ('requested', 'accepted')`.execute(db);
      await db.schema.createIndex('relays_department_status').on('relays').columns(['to_department_id', 'status', 'requested_at']).execute();
      // Messages the bot posted (per platform), so that an alert can be replaced once someone accepts.
      await db.schema
        .createTable('chat_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('space', 'text', (c) => c.notNull())
        .addColumn('platform_message_id', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('relay_id', 'text')
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('card', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('removed_at', ts)
        .execute();
      await db.schema.createIndex('chat_messages_space').on('chat_messages').columns(['platform', 'space', 'created_at']).execute();
      await db.schema
        .createTable('chat_deliveries')
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('received_at', ts, (c) => c.notNull())
        .addPrimaryKeyConstraint('chat_deliveries_pk', ['platform', 'delivery_id'])
        .execute();
    },
  };
}

function appKeys(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('app_keys')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  };
}

function citizenApp(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: AnyDb) {
      // Consent records are only ever inserted (never updated or deleted, except by the retention purge).
      await db.schema
        .createTable('consents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('consultation_id', 'text', (c) => c.notNull().references('consultations.id'))
        .addColumn('text_version', 'text', (c) => c.notNull())
        .addColumn('items', 'text', (c) => c.notNull())
        .addColumn('agreed', 'integer', (c) => c.notNull())
        .addColumn('entry_point', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('app_progress')
        .addColumn('consultation_id', 'text', (c) => c.primaryKey().references('consultations.id'))
        .addColumn('step', 'text', (c) => c.notNull())
        .addColumn('checklist', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('survey', 'text')
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
    },
  };
}

function appContent(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: AnyDb) {
      // Every consent text and checklist ever shown, by the hash of its content (insert-only), so a consent record's
      // text_version always leads back to the exact words the citizen read.
      await db.schema
        .createTable('app_texts')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .execute();
      // What admins saved: the newest version per (kind, key) is in use; a rollback saves an old one anew.
      await db.schema
        .createTable('app_content_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().references('app_texts.hash'))
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addUniqueConstraint('app_content_versions_kind_key_version', ['kind', 'key', 'version'])
        .execute();
      // What staff did in the staff view: documents they checked, and the step they moved the citizen to.
      await db.schema
        .alterTable('app_progress')
        .addColumn('staff_checked', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      await db.schema.alterTable('app_progress').addColumn('pushed_step', 'text').execute();
      await db.schema.alterTable('app_progress').addColumn('pushed_at', ts).execute();
      // Which language the consent was read in.
      await db.schema
        .alterTable('consents')
        .addColumn('lang', 'text', (c) => c.notNull().defaultTo('ja'))
        .execute();
      // Consent records are insert-only: the database itself refuses an update (the retention purge deletes).
      if (dialect === 'postgres') {
        await sql`create function consents_insert_only() returns trigger language plpgsql as $$
          begin raise exception 'consents are insert-only'; end $$`.execute(db);
        await sql`create trigger consents_no_update before update on consents for each row execute function consents_insert_only()`.execute(db);
      } else {
        await sql`create trigger consents_no_update before update on consents begin select raise(abort, 'consents are insert-only'); end`.execute(db);
      }
    },
  };
}

/**
 * One live row per conferencing account (`keyOf` says which spellings are the same account). Instances started
 * together could each add the same account; their consultations move to the oldest row where they fit, and a true
 * double booking is left for a person to fix (needs attention).
 */
async function mergeDuplicateHosts(db: AnyDb, now: string, keyOf: (account: string) => string): Promise<void> {
  const live = (await db
    .selectFrom('hosts')
    .select(['id', 'provider', 'account'])
    .where('retired_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute()) as Array<{ id: string; provider: string; account: string }>;
  const keep = new Map<string, string>();
  for (const h of live) {
    const key = `${h.provider}\u0000${keyOf(h.account)}`;
    const kept = keep.get(key);
    if (!kept) {
      keep.set(key, h.id);
      continue;
    }
    const booked = (await db
      .selectFrom('consultations')
      .select(['id', 'start_at', 'block_end_at', 'status'])
      .where('host_id', '=', h.id)
      .where('status', '<>', 'cancelled')
      .execute()) as Array<{ id: string; start_at: string; block_end_at: string; status: string }>;
    for (const c of booked) {
      const clash = await db
        .selectFrom('consultations')
        .select('id')
        .where('host_id', '=', kept)
        .where('status', '<>', 'cancelled')
        .where('start_at', '<', c.block_end_at)
        .where('block_end_at', '>', c.start_at)
        .executeTakeFirst();
      if (!clash) {
        await db.updateTable('consultations').set({ host_id: kept }).where('id', '=', c.id).execute();
        await db.updateTable('meetings').set({ host_id: kept }).where('consultation_id', '=', c.id).execute();
      } else if (['booked', 'meeting_ready', 'invited'].includes(c.status)) {
        await db
          .updateTable('consultations')
          .set({
            status: 'needs_attention',
            status_note: `同じアカウントに相談 ${clash.id} と重なって予約されています。日時を変えるか取り消してください。 / Double-booked with ${clash.id} on the same account: move or cancel it.`,
            updated_at: now,
          })
          .where('id', '=', c.id)
          .execute();
      }
    }
    await db.updateTable('hosts').set({ retired_at: now }).where('id', '=', h.id).execute();
  }
}

function hardening(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: AnyDb) {
      const now = new Date().toISOString();
      await mergeDuplicateHosts(db, now, (account) => account);
      await sql`create unique index hosts_one_live_account on hosts (provider, account) where retired_at is null`.execute(db);

      // Which consultation a stored idempotent response belongs to (so that its personal data can be erased with it).
      await db.schema.alterTable('idempotency_keys').addColumn('consultation_id', 'text').execute();
      const keys = (await db.selectFrom('idempotency_keys').select(['actor', 'key', 'response_body']).execute()) as Array<{
        actor: string;
        key: string;
        response_body: string;
      }>;
      for (const k of keys) {
        let id: unknown = null;
        try {
          id = (JSON.parse(k.response_body) as { id?: unknown }).id;
        } catch {
          // not a consultation
        }
        if (typeof id === 'string')
          await db.updateTable('idempotency_keys').set({ consultation_id: id }).where('actor', '=', k.actor).where('key', '=', k.key).execute();
      }
      await db.schema.createIndex('idempotency_keys_consultation').on('idempotency_keys').column('consultation_id').execute();

      // When the citizen's name, email and free text were removed (retention period, or on request).
      await db.schema.alterTable('consultations').addColumn('personal_data_erased_at', ts).execute();

      // The one-time offer a Teams channel gets when the bot is added to it: only that card, pressed in that channel,
      // may link the channel to a department (everything else about departments is for admins).
      await db.schema
        .createTable('channel_link_offers')
        .addColumn('nonce_hash', 'text', (c) => c.primaryKey())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .addColumn('used_at', ts)
        .execute();

      // Sign-in and token throttling shared by every instance on PostgreSQL (the table rate-limiter-flexible uses).
      if (dialect === 'postgres') {
        await sql`create table rate_limits (key varchar(255) primary key, points integer not null default 0, expire bigint)`.execute(db);
      }
    },
  };
}

function lifecycleAndRelays(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: AnyDb) {
      // `version` counts every change of the row; `schedule_version` only what the citizen and the meeting see (time,
      // host, cancellation): the meeting is synced to it, reminders and the calendar entry's SEQUENCE follow it.
      await db.schema
        .alterTable('consultations')
        .addColumn('schedule_version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.updateTable('consultations').set({ schedule_version: sql`version` }).execute();
      // The time the citizen was last told by mail (invitation or change): a change or a cancellation names it.
      await db.schema.alterTable('consultations').addColumn('told_start_at', ts).execute();
      await db.schema.alterTable('consultations').addColumn('told_end_at', ts).execute();
      // Who a relay alerted (on duty, or everyone after an escalation), and who said they cannot take it: the relay is
      // declined only when everyone alerted has said no.
      await db.schema
        .createTable('relay_recipients')
        .addColumn('relay_id', 'text', (c) => c.notNull().references('relays.id'))
        .addColumn('staff_id', 'text', (c) => c.notNull())
        .addColumn('alerted_at', ts, (c) => c.notNull())
        .addPrimaryKeyConstraint('relay_recipients_pk', ['relay_id', 'staff_id'])
        .execute();
      await db.schema
        .createTable('relay_declines')
        .addColumn('relay_id', 'text', (c) => c.notNull().references('relays.id'))
        .addColumn('staff_id', 'text', (c) => c.notNull())
        .addColumn('declined_at', ts, (c) => c.notNull())
        .addPrimaryKeyConstraint('relay_declines_pk', ['relay_id', 'staff_id'])
        .execute();
    },
  };
}

function hostAccountsAnyCase(): Migration {
  // As scheduler/hosts.ts spells an account today (a migration keeps its own copy: it never changes).
  const normalAccount = (account: string) => account.trim().toLowerCase();
  return {
    async up(db: AnyDb) {
      // HOST@CITY.JP and host@city.jp are one Webex account (and a Teams user id is a GUID in any case): accounts are
      // kept in lower case, and rows that differed only in case are merged like any other duplicate.
      await mergeDuplicateHosts(db, new Date().toISOString(), normalAccount);
      const rows = (await db.selectFrom('hosts').select(['id', 'account']).where('retired_at', 'is', null).execute()) as Array<{ id: string; account: string }>;
      for (const r of rows)
        if (r.account !== normalAccount(r.account))
          await db
            .updateTable('hosts')
            .set({ account: normalAccount(r.account) })
            .where('id', '=', r.id)
            .execute();
    },
  };
}

function sitesAndWalkIns(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: AnyDb) {
      // The main office and each branch (支所): a host (counter device) and a staff member belong to one site.
      await db.schema
        .createTable('sites')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('retired_at', ts)
        .execute();
      await sql`create unique index sites_one_live_name on sites (name) where retired_at is null`.execute(db);
      // Every existing host was the main office's: it stays so.
      await db
        .insertInto('sites')
        .values({ id: 'main', name: '本庁', kind: 'main', phone: '', created_at: new Date().toISOString(), retired_at: null })
        .execute();
      await db.schema.alterTable('hosts').addColumn('site_id', 'text').execute();
      await db.updateTable('hosts').set({ site_id: 'main' }).execute();
      await db.schema.alterTable('staff').addColumn('site_id', 'text').execute();
      // A walk-in (来庁者) is started at a branch for a citizen who is there now; a booked one was planned.
      await db.schema
        .alterTable('consultations')
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('booked'))
        .execute();
      await db.schema.alterTable('consultations').addColumn('site_id', 'text').execute();
      await sql`update consultations set site_id = (select h.site_id from hosts h where h.id = consultations.host_id)`.execute(db);
      // Device tokens (a branch's counter terminal, a department's alert board) are scoped to their host or department.
      await db.schema
        .alterTable('api_tokens')
        .addColumn('scope', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      // A department's own signal tower, if it has one ('' = the server-wide LAMP_WEBHOOK_URL).
      await db.schema
        .alterTable('departments')
        .addColumn('lamp_url', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      // The queue of a department (the board, /accept) and a consultation's relay chain.
      await db.schema.createIndex('relays_consultation').on('relays').columns(['consultation_id', 'requested_at']).execute();
    },
  };
}

function dutyUntil(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? sql`timestamptz` : sql`text`;
  return {
    async up(db: AnyDb) {
      // /duty on ends by itself at the end of the day (DUTY_ENDS_AT): nobody stays "on duty" for a week by mistake.
      await db.schema.alterTable('staff').addColumn('duty_until', ts).execute();
    },
  };
}

/** SQLite's no-double-booking triggers, looking only at the host's consultations of the day before (a block is never longer than a day). */
function boundedOverlapTriggers() {
  const overlap = (self: string) =>
    sql.raw(`new.status <> 'cancelled' and exists (
      select 1 from consultations c
      where c.host_id = new.host_id and c.status <> 'cancelled' ${self}
        and c.start_at > strftime('%Y-%m-%dT%H:%M:%fZ', new.start_at, '-1 day')
        and c.start_at < new.block_end_at and c.block_end_at > new.start_at)`);
  return { insert: overlap(''), update: overlap('and c.id <> new.id') };
}

function speed(dialect: DialectName): Migration {
  return {
    async up(db: AnyDb) {
      // The outbox's look-ups by consultation (a meeting sync already waiting; another job of the consultation leased)
      // read an index of the pending rows, not every row: O(1) per booking and per claim, whatever the history.
      await db.schema
        .createIndex('outbox_pending_consultation')
        .on('outbox')
        .columns(['consultation_id', 'kind'])
        .where(sql.ref('status'), '=', 'pending')
        .execute();
      if (dialect === 'sqlite') {
        // The overlap check on each insert and status change read every earlier consultation of the host (O(history)):
        // it now reads one day's, and a block longer than a day (never made: 12 hours at most) is refused outright.
        const t = boundedOverlapTriggers();
        await sql`drop trigger consultations_no_overlap_insert`.execute(db);
        await sql`drop trigger consultations_no_overlap_update`.execute(db);
        await sql`create trigger consultations_no_overlap_insert before insert on consultations
          when ${t.insert}
          begin select raise(abort, 'consultation_overlap'); end`.execute(db);
        await sql`create trigger consultations_no_overlap_update
          before update of host_id, start_at, block_end_at, status on consultations
          when ${t.update}
          begin select raise(abort, 'consultation_overlap'); end`.execute(db);
        for (const [name, on] of [
          ['consultations_block_limit_insert', sql`before insert on consultations`],
          ['consultations_block_limit_update', sql`before update of start_at, block_end_at on consultations`],
        ] as const) {
          await sql`create trigger ${sql.raw(name)} ${on}
            when new.block_end_at > strftime('%Y-%m-%dT%H:%M:%fZ', new.start_at, '+1 day')
            begin select raise(abort, 'consultation_too_long'); end`.execute(db);
        }
      }
    },
  };
}

function blocksWithinADay(dialect: DialectName): Migration {
  return {
    async up(db: AnyDb) {
      // The look-ups of a time's bookings read one day back (a block is 12 hours at most): PostgreSQL holds every
      // block to that too, as SQLite's triggers do since 0013.
      if (dialect === 'postgres') {
        await sql`alter table consultations add constraint consultations_block_within_a_day check (block_end_at <= start_at + interval '1 day')`.execute(db);
      }
    },
  };
}

/** The tables the reference cache (core/store/reference.ts) holds, bumped by every write to one of them. */
export const REFERENCE_TABLES = ['hosts', 'sites', 'departments', 'calendar_exceptions', 'app_content_versions'] as const;

function referenceVersion(dialect: DialectName): Migration {
  return {
    async up(db: AnyDb) {
      // One counter that every write to the hosts, sites, departments, closures or checklists raises (by triggers, so a
      // write from another process or instance raises it too): a booking reads it instead of re-reading those tables.
      await db.schema
        .createTable('reference_version')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('version', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('reference_version').values({ id: 1, version: 0 }).execute();
      if (dialect === 'postgres') {
        await sql`create function bump_reference_version() returns trigger language plpgsql as $$
          begin update reference_version set version = version + 1 where id = 1; return null; end $$`.execute(db);
        for (const table of REFERENCE_TABLES) {
          await sql`create trigger ${sql.raw(`${table}_reference_version`)} after insert or update or delete or truncate on ${sql.table(table)}
            for each statement execute function bump_reference_version()`.execute(db);
        }
      } else {
        for (const table of REFERENCE_TABLES) {
          for (const event of ['insert', 'update', 'delete']) {
            await sql`create trigger ${sql.raw(`${table}_reference_${event}`)} after ${sql.raw(event)} on ${sql.table(table)}
              begin update reference_version set version = version + 1 where id = 1; end`.execute(db);
          }
        }
      }
    },
  };
}

/** Every migration, in order. Never edit a released one; add the next. */
export function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_foundation': foundation(dialect),
    '0002_secrets': secrets(dialect),
    '0003_mail_and_admin': mailAndAdmin(dialect),
    '0004_staff_and_relays': staffAndRelays(dialect),
    '0005_app_keys': appKeys(),
    '0006_citizen_app': citizenApp(dialect),
    '0007_app_content': appContent(dialect),
    '0008_hardening': hardening(dialect),
    '0009_lifecycle_and_relays': lifecycleAndRelays(dialect),
    '0010_host_accounts_any_case': hostAccountsAnyCase(),
    '0011_sites_and_walk_ins': sitesAndWalkIns(dialect),
    '0012_duty_until': dutyUntil(dialect),
    '0013_speed': speed(dialect),
    '0014_blocks_within_a_day': blocksWithinADay(dialect),
    '0015_reference_version': referenceVersion(dialect),
  };
}

export async function migrateToLatest(db: AnyDb, dialect: DialectName): Promise<void> {
  await migrate(db, dialect, (m) => m.migrateToLatest());
}

/** Applies migrations up to and including `name` (tests of a migration start from the state before it). */
export async function migrateTo(db: AnyDb, dialect: DialectName, name: string): Promise<void> {
  await migrate(db, dialect, (m) => m.migrateTo(name));
}

async function migrate(db: AnyDb, dialect: DialectName, run: (m: Migrator) => ReturnType<Migrator['migrateToLatest']>): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  // Kysely looks for its tables across every schema; on PostgreSQL, name ours so that another schema's tables are not taken for them.
  const schema = dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await run(migrator);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
