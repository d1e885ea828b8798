// The OpenAPI 3.1 document of /api/v1, generated from the same zod schemas that parse the requests.
import { z } from 'zod';
import * as S from './schemas.ts';

type Json = Record<string, unknown>;

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output'): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
};

const problemResponse = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const json = (description: string, s: Json): Json => ({ description, content: { 'application/json': { schema: s } } });

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function queryParameters(s: z.ZodObject): Json[] {
  const js = schema(s, 'input') as { properties: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties).map(([name, p]) => ({ name, in: 'query', required: js.required?.includes(name) ?? false, schema: p }));
}

const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const errors = {
  '401': problemResponse('No or bad token'),
  '422': problemResponse('Invalid input; `field` names the offending field'),
  '429': problemResponse('Too many failed tokens from this address; `Retry-After` says when to try again'),
  '503': problemResponse('The database is busy; `Retry-After` says when to try again'),
};

let cached: Json | undefined;

export function openApiDocument(serverUrl: string): Json {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'madoguchi API',
      version: '1.0.0',
      description:
        'Online consultation counter on the city’s Webex or Teams. Times are ISO 8601 with +09:00 (Asia/Tokyo). Errors are RFC 9457 problem+json with Japanese (`detail_ja`) and English (`detail`) text.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Consultation: schema(S.Consultation),
        Slot: schema(S.Slot),
        Host: schema(S.Host),
        Department: schema(S.Department),
        CalendarException: schema(S.CalendarException),
        Problem: schema(S.Problem),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/hosts': {
        get: {
          summary: 'Host accounts',
          responses: { '200': json('Hosts', { type: 'object', properties: { hosts: { type: 'array', items: ref('Host') } } }), ...errors },
        },
        post: {
          summary: 'Add a host account (admin)',
          requestBody: { required: true, content: { 'application/json': { schema: schema(S.HostBody, 'input') } } },
          responses: { '201': json('Added', ref('Host')), '403': problemResponse('Not an admin'), ...errors },
        },
      },
      '/api/v1/hosts/{id}': {
        delete: {
          summary: 'Retire a host account (admin); refused while it has upcoming consultations',
          parameters: [idParam],
          responses: {
            '204': { description: 'Retired' },
            '404': problemResponse('Not found'),
            '409': problemResponse('Has upcoming consultations'),
            ...errors,
          },
        },
      },
      '/api/v1/departments': {
        get: {
          summary: 'Departments',
          responses: { '200': json('Departments', { type: 'object', properties: { departments: { type: 'array', items: ref('Department') } } }), ...errors },
        },
      },
      '/api/v1/slots': {
        get: {
          summary: 'Free start times',
          parameters: queryParameters(S.SlotsQuery),
          responses: { '200': json('Free slots', { type: 'object', properties: { slots: { type: 'array', items: ref('Slot') } } }), ...errors },
        },
      },
      '/api/v1/consultations': {
        get: {
          summary: 'Consultations starting between two dates',
          parameters: queryParameters(S.ListQuery),
          responses: {
            '200': json('Consultations', { type: 'object', properties: { consultations: { type: 'array', items: ref('Consultation') } } }),
            ...errors,
          },
        },
        post: {
          summary: 'Book a consultation',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: schema(S.IdempotencyKey, 'input') }],
          requestBody: { required: true, content: { 'application/json': { schema: schema(S.BookingBody, 'input') } } },
          responses: {
            '201': json('Booked', ref('Consultation')),
            '409': problemResponse('The host is taken at that time; `conflicts` and `nextSlots` say by what and what is free'),
            ...errors,
          },
        },
      },
      '/api/v1/consultations/{id}': {
        get: {
          summary: 'One consultation',
          parameters: [idParam],
          responses: { '200': json('Consultation', ref('Consultation')), '404': problemResponse('Not found'), ...errors },
        },
        patch: {
          summary: 'Reschedule',
          parameters: [idParam],
          requestBody: { required: true, content: { 'application/json': { schema: schema(S.RescheduleBody, 'input') } } },
          responses: {
            '200': json('Moved', ref('Consultation')),
            '404': problemResponse('Not found'),
            '409': problemResponse('Taken, or not movable in its state'),
            ...errors,
          },
        },
      },
      '/api/v1/consultations/{id}/cancel': {
        post: {
          summary: 'Cancel',
          parameters: [idParam],
          requestBody: { required: false, content: { 'application/json': { schema: schema(S.CancelBody, 'input') } } },
          responses: {
            '200': json('Cancelled', ref('Consultation')),
            '404': problemResponse('Not found'),
            '409': problemResponse('Already closed'),
            ...errors,
          },
        },
      },
      '/api/v1/consultations/{id}/retry': {
        post: {
          summary: 'Try the meeting again after a refusal was fixed ("needs attention" → "booked")',
          parameters: [idParam],
          responses: {
            '200': json('Retrying', ref('Consultation')),
            '404': problemResponse('Not found'),
            '409': problemResponse('Not in "needs attention"'),
            ...errors,
          },
        },
      },
      '/api/v1/consultations/{id}/erase': {
        post: {
          summary:
            "Erase the citizen's personal data now (admin), at the citizen's request: name, email and free text; times, department and status stay for the figures. An upcoming consultation must be cancelled first",
          parameters: [idParam],
          responses: {
            '200': json('Erased', ref('Consultation')),
            '403': problemResponse('Not an admin'),
            '404': problemResponse('Not found'),
            '409': problemResponse('Still ahead: cancel it first'),
            ...errors,
          },
        },
      },
      '/api/v1/consultations/{id}/app': {
        get: {
          summary:
            'What the citizen did in the app: step, consents (text version, the exact words shown, entry point), checklist answers and staff checks, survey, relay',
          parameters: [idParam],
          responses: { '200': json('Progress', { type: 'object' }), '404': problemResponse('Not found'), ...errors },
        },
      },
      '/api/v1/consultations/{id}/audit': {
        get: {
          summary: 'Audit trail of one consultation',
          parameters: [idParam],
          responses: { '200': json('Entries', { type: 'object' }), '404': problemResponse('Not found'), ...errors },
        },
      },
      '/api/v1/calendar/exceptions': {
        get: {
          summary: 'Closures and special openings',
          responses: {
            '200': json('Exceptions', { type: 'object', properties: { exceptions: { type: 'array', items: ref('CalendarException') } } }),
            ...errors,
          },
        },
        post: {
          summary: 'Add a closure or special opening (admin)',
          requestBody: { required: true, content: { 'application/json': { schema: schema(S.CalendarExceptionBody, 'input') } } },
          responses: { '201': json('Added', ref('CalendarException')), '403': problemResponse('Not an admin'), ...errors },
        },
      },
      '/api/v1/calendar/exceptions/{id}': {
        delete: {
          summary: 'Remove a closure or special opening (admin)',
          parameters: [idParam],
          responses: { '204': { description: 'Removed' }, '404': problemResponse('Not found'), ...errors },
        },
      },
      '/api/v1/tokens': {
        get: { summary: 'API tokens (admin)', responses: { '200': json('Tokens', { type: 'object' }), '403': problemResponse('Not an admin'), ...errors } },
        post: {
          summary: 'Create a staff or admin token (admin); the token is shown once',
          requestBody: { required: true, content: { 'application/json': { schema: schema(S.TokenBody, 'input') } } },
          responses: { '201': json('Created', { type: 'object' }), '403': problemResponse('Not an admin'), ...errors },
        },
      },
      '/api/v1/tokens/{id}': {
        delete: {
          summary: 'Revoke a token (admin)',
          parameters: [idParam],
          responses: { '204': { description: 'Revoked' }, '404': problemResponse('Not found'), ...errors },
        },
      },
    },
  };
  return { ...cached, servers: [{ url: serverUrl }] };
}
