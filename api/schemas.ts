// The /api/v1 contract as zod schemas: they parse requests, describe responses, and generate the OpenAPI document.
import { z } from 'zod';
import { CONSULTATION_STATUSES } from '../scheduler/status.ts';
import { ROLES } from '../core/auth/tokens.ts';
import { PROVIDER_KINDS } from '../core/conferencing/index.ts';
import type { ProviderKind } from '../core/conferencing/index.ts';

import { LocalDate } from '../scheduler/calendar-store.ts';

const CityTime = z.string().meta({ description: 'ISO 8601 with the +09:00 offset', example: '2026-12-01T10:00:00+09:00' });

export const Instant = z.iso
  .datetime({ offset: true, error: 'expected ISO 8601 date-time with offset, e.g. 2026-12-01T10:00:00+09:00' })
  .transform((s) => Date.parse(s))
  .meta({ description: 'ISO 8601 date-time with offset', example: '2026-12-01T10:00:00+09:00' });

export const DurationMinutes = z.coerce
  .number()
  .int()
  .min(5)
  .max(24 * 60)
  .meta({ description: 'Length in minutes', example: 60 });

const Id = z.string().trim().min(1).max(64);

export const SlotsQuery = z.object({
  from: LocalDate,
  to: LocalDate,
  duration: DurationMinutes,
  hostId: Id.optional(),
});

export const BookingBody = z.strictObject({
  start: Instant,
  durationMinutes: DurationMinutes,
  hostId: Id.optional().meta({ description: 'Omit to use any free host' }),
  department: z.string().trim().min(1).max(50).meta({ description: 'Department name or alias, e.g. 税務課 or 税務', example: '税務課' }),
  citizen: z.strictObject({
    name: z.string().trim().min(1).max(100).meta({ example: '山田太郎' }),
    email: z.email().max(254).meta({ example: 'yamada@example.jp' }),
    locale: z.enum(['ja', 'en']).optional().meta({ description: "Language of the citizen's emails (default ja)" }),
  }),
  topic: z.string().trim().max(1000).optional(),
  consultationType: z.string().trim().min(1).max(50).optional().meta({
    description: 'general (default), after-death-procedures, or a type an admin added; an unknown one is refused with the known ones',
    example: 'general',
  }),
});

export const RescheduleBody = z
  .strictObject({
    start: Instant.optional(),
    durationMinutes: DurationMinutes.optional(),
    hostId: Id.optional(),
  })
  .refine((b) => b.start !== undefined || b.durationMinutes !== undefined || b.hostId !== undefined, {
    error: 'give at least one of start, durationMinutes, hostId',
  });

export const CancelBody = z.strictObject({ reason: z.string().trim().max(500).optional() });

export const ListQuery = z.object({ from: LocalDate, to: LocalDate });

export const IdempotencyKey = z.string().trim().min(1).max(200);

export const HostBody = z.strictObject({
  displayName: z.string().trim().min(1).max(100).meta({ example: '相談用専用PC 2' }),
  siteId: z.string().min(1).max(64).optional().meta({ description: 'The site (main office or branch) where the device is; default the main office' }),
  provider: z.enum(PROVIDER_KINDS as [ProviderKind, ...ProviderKind[]]),
  account: z.string().trim().min(1).max(200).meta({ description: 'The account at the provider (email or user id)', example: 'soudan2@city.example.jp' }),
});

export const HostPatch = z
  .strictObject({
    displayName: z.string().trim().min(1).max(100).optional(),
    siteId: z.string().min(1).max(64).optional().meta({ description: 'Move the device to this site' }),
  })
  .refine((b) => b.displayName !== undefined || b.siteId !== undefined, { error: 'give displayName or siteId' });

export const SiteBody = z.strictObject({
  name: z.string().trim().min(1).max(50).meta({ example: '三隅支所' }),
  kind: z.enum(['main', 'branch']).optional().meta({ description: 'main: 本庁 (one); branch: 支所 (default)' }),
  phone: z.string().trim().max(30).optional().meta({ example: '0855-32-0000' }),
});
export const SitePatch = z
  .strictObject({ name: z.string().trim().min(1).max(50).optional(), phone: z.string().trim().max(30).optional() })
  .refine((b) => b.name !== undefined || b.phone !== undefined, { error: 'give name or phone' });

export const DeviceBody = z.strictObject({
  name: z.string().trim().min(1).max(100).meta({ example: '三隅支所 窓口端末1' }),
  role: z
    .enum(['counter', 'board'])
    .meta({ description: 'counter: a branch terminal (scope: its host id); board: a department alert board (scope: department id)' }),
  scope: z.string().min(1).max(64).meta({ description: 'The host id (counter) or department id (board)' }),
});

export const WalkInBody = z.strictObject({
  siteId: z.string().min(1).max(64),
  hostId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .meta({ description: 'The device the citizen is at; omit to use the free one (refused with the free ones when several are)' }),
  department: z.string().trim().min(1).max(50).meta({ example: '税務' }),
  topic: z.string().trim().max(200).optional().meta({ example: '相続の手続き' }),
  reception: z.string().trim().max(50).optional().meta({ description: 'A name or reception number (no email is needed)', example: '受付 12' }),
  outsideHoursConfirmed: z.boolean().optional().meta({ description: 'Call even though the counter is closed now' }),
});

export const ExtendBody = z.strictObject({ minutes: z.number().int().min(5).max(240).meta({ example: 30 }) });

export const TokenBody = z.strictObject({
  name: z.string().trim().min(1).max(100).meta({ example: '税務課 田中' }),
  role: z.enum(ROLES as ['admin', 'staff']),
});

// ---------------------------------------------------------------- responses (documentation and tests)

/** Named in the OpenAPI document's components (others are written out where they are used). */
export const components = z.registry<{ id: string }>();
const named = <S extends z.ZodType>(id: string, schema: S): S => {
  components.add(schema, { id });
  return schema;
};

export const IdParams = z.object({ id: z.string().min(1).max(64).meta({ description: 'The id (e.g. a consultation number such as K7M2Q9XA)' }) });

export const IdempotencyHeaders = z.object({
  'Idempotency-Key': IdempotencyKey.optional().meta({ description: 'Repeat a create safely: the same key and body give the first answer again (kept 7 days)' }),
});

export const Host = named('Host', z.object({ id: z.string(), displayName: z.string(), provider: z.string(), siteId: z.string() }));

export const Site = named('Site', z.object({ id: z.string(), name: z.string(), kind: z.enum(['main', 'branch']), phone: z.string() }));
export const SiteList = z.object({ sites: z.array(Site) });

export const Device = named(
  'Device',
  z.object({ id: z.string(), name: z.string(), role: z.enum(['counter', 'board']), scope: z.string(), createdAt: z.string().optional() }),
);
export const DeviceList = z.object({ devices: z.array(Device) });
export const IssuedDevice = Device.extend({
  token: z.string().meta({ description: 'Shown this once; only its hash is kept. Enter it on the device at /counter/login or /board/login' }),
});
export const HostList = z.object({ hosts: z.array(Host) });

export const Slot = named('Slot', z.object({ hostId: z.string(), start: CityTime, end: CityTime }));
export const SlotList = z.object({
  slots: z.array(Slot),
  closedDays: z
    .array(z.object({ date: z.string(), reason: z.object({ ja: z.string(), en: z.string() }) }))
    .meta({ description: 'The days in the range when the counter is closed, and why (a holiday, 年末年始, a closure)' }),
});

export const Meeting = named(
  'Meeting',
  z.object({
    provider: z.string(),
    meetingNumber: z.string(),
    password: z.string(),
    joinUrl: z.string(),
    dialIn: z.array(z.object({ label: z.string(), number: z.string() })),
    sipAddress: z.string(),
  }),
);

export const Consultation = named(
  'Consultation',
  z.object({
    id: z.string(),
    kind: z.enum(['booked', 'walk_in']).meta({ description: 'booked: planned ahead; walk_in: a citizen at a branch counter, connected now' }),
    hostId: z.string(),
    siteId: z.string().nullable().meta({ description: 'The site (main office or branch) of the host' }),
    start: CityTime,
    end: CityTime,
    durationMinutes: z.number().int(),
    department: z.object({ id: z.string(), name: z.string() }),
    citizen: z.object({ name: z.string(), email: z.string(), locale: z.enum(['ja', 'en']) }),
    topic: z.string(),
    consultationType: z.string(),
    consultationTypeName: z.object({ ja: z.string(), en: z.string() }).meta({ description: 'The type as people read it' }),
    bookedBy: z.string(),
    status: z.enum(CONSULTATION_STATUSES),
    statusNote: z.string(),
    version: z.number().int().meta({ description: 'Counts every change of the consultation' }),
    scheduleVersion: z.number().int().meta({ description: "Counts the changes of time, host and cancellation (the calendar entry's SEQUENCE)" }),
    meeting: Meeting.nullable(),
    createdAt: CityTime,
    updatedAt: CityTime,
    personalDataErasedAt: CityTime.nullable().meta({
      description:
        "When the citizen's name, email and free text were erased (after PERSONAL_DATA_RETENTION_DAYS, or by an admin on request); null while they are kept",
    }),
    told: z
      .object({ start: CityTime, end: CityTime })
      .nullable()
      .meta({ description: 'The time the citizen was last told by mail (invitation or change); null before the invitation' }),
  }),
);
export const ConsultationList = z.object({ consultations: z.array(Consultation) });
export const WalkInStarted = named(
  'WalkInStarted',
  z.object({
    consultation: Consultation,
    relayId: z.string(),
    position: z.number().int().meta({ description: "The call's place in the department's queue (1 = next)" }),
    onDuty: z
      .array(z.string())
      .meta({ description: 'Who of the department is on duty; empty: everyone there is alerted, and the caller should offer the alternatives' }),
  }),
);

export const Department = named(
  'Department',
  z.object({
    id: z.string(),
    name: z.string(),
    aliases: z.array(z.string()),
    contact: z.string(),
    webexRoomId: z.string().meta({ description: "The Webex space that receives the department's relay alerts ('' = none)" }),
    teamsChannel: z.string().meta({ description: "The Teams channel that receives them ('' = none)" }),
  }),
);
export const DepartmentList = z.object({ departments: z.array(Department) });

export const CalendarException = named(
  'CalendarException',
  z.object({
    id: z.string(),
    kind: z.enum(['closed', 'open']),
    startDate: z.string(),
    endDate: z.string(),
    startTime: z.string().nullable(),
    endTime: z.string().nullable(),
    note: z.string(),
  }),
);
export const CalendarExceptionList = z.object({ exceptions: z.array(CalendarException) });
export const ClosureAdded = named(
  'ClosureAdded',
  CalendarException.extend({
    consultations: z
      .array(
        z.object({
          id: z.string(),
          outcome: z.enum(['moved', 'cancelled', 'kept', 'not_moved']),
          start: z.string(),
          movedTo: z.string().optional(),
          reason: z.object({ ja: z.string(), en: z.string() }).optional(),
        }),
      )
      .meta({ description: 'What was done to each consultation the closure falls on' }),
  }),
);

export const AuditEntries = z.object({
  entries: z.array(z.object({ at: z.string(), actor: z.string(), action: z.string(), before: z.unknown(), after: z.unknown() })),
});

export const AppProgress = z.object({
  step: z.string().meta({ description: 'welcome, consent, documents or end; not_opened before the citizen opens the app' }),
  consents: z.array(
    z.object({
      agreed: z.boolean(),
      textVersion: z.string(),
      items: z.array(z.string()),
      entryPoint: z.string(),
      lang: z.string(),
      at: z.string(),
      text: z.unknown().meta({ description: 'The exact items shown, kept by their hash' }),
    }),
  ),
  checklist: z.record(z.string(), z.enum(['have', 'missing'])),
  checklistVersion: z.string(),
  staffChecked: z.record(z.string(), z.object({ by: z.string(), at: z.string() })),
  survey: z.object({ satisfaction: z.number().nullable(), again: z.boolean().nullable(), comment: z.string() }).nullable(),
  relay: z.object({ status: z.string(), department: z.string(), accepter: z.string().nullable(), requestedAt: z.string(), minutes: z.number() }).nullable(),
});

export const TokenList = z.object({
  tokens: z.array(
    z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES as ['admin', 'staff']), createdAt: z.string(), revokedAt: z.string().nullable() }),
  ),
});
export const IssuedToken = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES as ['admin', 'staff']),
  token: z.string().meta({ description: 'Shown this once; only its hash is kept' }),
});

export const Problem = named(
  'Problem',
  z
    .object({
      type: z.string(),
      title: z.string(),
      title_ja: z.string(),
      status: z.number().int(),
      detail: z.string(),
      detail_ja: z.string(),
      instance: z.string().optional().meta({ description: 'The request path' }),
      field: z.string().optional().meta({ description: 'The first offending input field' }),
      errors: z.array(z.object({ field: z.string(), ja: z.string(), en: z.string() })).optional(),
      retryAfterSeconds: z.number().optional().meta({ description: '429 and 503: when to try again (also in Retry-After)' }),
    })
    .loose()
    .meta({ description: 'RFC 9457 problem details, in English (title, detail) and Japanese (title_ja, detail_ja); other members depend on the problem' }),
);

export const ConflictProblem = named(
  'ConflictProblem',
  Problem.extend({
    conflicts: z
      .array(z.object({ consultationId: z.string(), hostId: z.string(), start: CityTime, end: CityTime }))
      .optional()
      .meta({ description: 'What the requested time collides with' }),
    nextSlots: z.array(Slot).optional().meta({ description: 'The next free times of the same length' }),
  }).loose(),
);

// ---------------------------------------------------------------- figures

const CountRow = z.object({ key: z.string(), count: z.int().min(0) });
const SpreadFields = {
  count: z.int().min(0),
  median: z.number().nullable().meta({ description: 'Minutes (nearest rank); null with nothing to measure' }),
  p90: z.number().nullable().meta({ description: 'Minutes, 90th percentile (nearest rank)' }),
};

export const StatsQuery = z.object({
  from: z.string().optional().meta({ description: 'First day (YYYY-MM-DD, JST), with `to`', example: '2026-04-01' }),
  to: z.string().optional().meta({ description: 'Last day, included', example: '2027-03-31' }),
  fiscalYear: z.string().optional().meta({ description: 'A 年度 (April to March), e.g. 2026; without any, the current one', example: '2026' }),
  month: z.string().optional().meta({ description: 'One month, YYYY-MM', example: '2026-11' }),
});

export const Stats = named(
  'Stats',
  z.object({
    period: z.object({ from: z.string(), to: z.string(), kind: z.enum(['range', 'fiscalYear', 'month', 'week']), ja: z.string(), en: z.string() }),
    consultations: z.object({
      total: z.int().min(0),
      byOutcome: z.array(CountRow).meta({ description: 'held (completed), in_progress, upcoming, cancelled, needs_attention' }),
      byStatus: z.array(CountRow),
      byDepartment: z.array(CountRow),
      bySite: z.array(CountRow),
      byType: z.array(CountRow),
      byPlatform: z.array(CountRow),
      byKind: z.array(CountRow).meta({ description: 'booked or walk_in' }),
      byMonth: z.array(z.object({ month: z.string(), booked: z.int(), walkIn: z.int(), total: z.int() })),
      byDepartmentMonth: z.array(z.object({ department: z.string(), months: z.array(z.int()) })),
    }),
    waits: z
      .object({
        ...SpreadFields,
        notAccepted: z.int().min(0),
        byDepartment: z.array(z.object({ key: z.string(), ...SpreadFields })),
        byHour: z.array(z.object({ hour: z.int().min(0).max(23), ...SpreadFields })),
        distribution: z.array(CountRow).meta({ description: 'Waits by band of minutes: <1, 1-3, 3-5, 5-10, 10-20, 20+' }),
      })
      .meta({ description: "From a relay's request to its accept, in minutes" }),
    relays: z.object({ total: z.int().min(0), perConsultation: z.array(CountRow), average: z.number().nullable() }),
    length: z.object(SpreadFields).meta({ description: 'Minutes from start to end of the consultations held' }),
    survey: z.object({
      answered: z.int().min(0),
      satisfaction: z.array(z.object({ score: z.int().min(1).max(5), count: z.int().min(0) })),
      averageSatisfaction: z.number().nullable(),
      again: z.object({ yes: z.int().min(0), no: z.int().min(0) }),
      againShare: z.number().min(0).max(1).nullable(),
      comments: z
        .array(z.object({ date: z.string(), department: z.string(), text: z.string() }))
        .meta({ description: 'No names: the date and department only' }),
    }),
  }),
);
