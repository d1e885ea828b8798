// The /api/v1 contract as zod schemas: they parse requests, describe responses, and generate the OpenAPI document.
import { z } from 'zod';
import { isLocalDate } from '../core/time.ts';
import { CONSULTATION_STATUSES } from './status.ts';
import { ROLES } from '../core/auth/tokens.ts';
import { PROVIDER_KINDS } from '../core/conferencing/index.ts';
import type { ProviderKind } from '../core/conferencing/index.ts';

export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date as YYYY-MM-DD' })
  .refine(isLocalDate, { error: 'not a real calendar date' })
  .meta({ description: 'A date in the city (Asia/Tokyo), YYYY-MM-DD', example: '2026-12-01' });

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
  consultationType: z.string().trim().min(1).max(50).optional().meta({ description: 'e.g. general, after-death-procedures', example: 'general' }),
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

export const CalendarExceptionBody = z.strictObject({
  kind: z.enum(['closed', 'open']).meta({ description: 'closed: a closure; open: a special opening day' }),
  startDate: LocalDate,
  endDate: LocalDate.optional().meta({ description: 'Defaults to startDate' }),
  startTime: z
    .string()
    .regex(/^\d{2}:\d{2}$/, { error: 'expected HH:MM' })
    .optional()
    .meta({ example: '12:00' }),
  endTime: z
    .string()
    .regex(/^\d{2}:\d{2}$/, { error: 'expected HH:MM' })
    .optional()
    .meta({ example: '13:00' }),
  note: z.string().trim().max(200).optional(),
});

export const HostBody = z.strictObject({
  displayName: z.string().trim().min(1).max(100).meta({ example: '相談用専用PC 2' }),
  provider: z.enum(PROVIDER_KINDS as [ProviderKind, ...ProviderKind[]]),
  account: z.string().trim().min(1).max(200).meta({ description: 'The account at the provider (email or user id)', example: 'soudan2@city.example.jp' }),
});

export const TokenBody = z.strictObject({
  name: z.string().trim().min(1).max(100).meta({ example: '税務課 田中' }),
  role: z.enum(ROLES as ['admin', 'staff']),
});

// ---------------------------------------------------------------- responses (documentation and tests)

export const Host = z.object({ id: z.string(), displayName: z.string(), provider: z.string() });

export const Slot = z.object({ hostId: z.string(), start: CityTime, end: CityTime });

export const Meeting = z.object({
  provider: z.string(),
  meetingNumber: z.string(),
  password: z.string(),
  joinUrl: z.string(),
  dialIn: z.array(z.object({ label: z.string(), number: z.string() })),
  sipAddress: z.string(),
});

export const Consultation = z.object({
  id: z.string(),
  hostId: z.string(),
  start: CityTime,
  end: CityTime,
  durationMinutes: z.number().int(),
  department: z.object({ id: z.string(), name: z.string() }),
  citizen: z.object({ name: z.string(), email: z.string(), locale: z.enum(['ja', 'en']) }),
  topic: z.string(),
  consultationType: z.string(),
  bookedBy: z.string(),
  status: z.enum(CONSULTATION_STATUSES),
  statusNote: z.string(),
  version: z.number().int(),
  meeting: Meeting.nullable(),
  createdAt: CityTime,
  updatedAt: CityTime,
  personalDataErasedAt: CityTime.nullable().meta({
    description:
      "When the citizen's name, email and free text were erased (after PERSONAL_DATA_RETENTION_DAYS, or by an admin on request); null while they are kept",
  }),
});

export const Department = z.object({ id: z.string(), name: z.string(), aliases: z.array(z.string()), contact: z.string() });

export const CalendarException = z.object({
  id: z.string(),
  kind: z.enum(['closed', 'open']),
  startDate: z.string(),
  endDate: z.string(),
  startTime: z.string().nullable(),
  endTime: z.string().nullable(),
  note: z.string(),
});

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  title_ja: z.string(),
  status: z.number().int(),
  detail: z.string(),
  detail_ja: z.string(),
  field: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), ja: z.string(), en: z.string() })).optional(),
});
