// The OpenAPI 3.1 document of /api/v1, written from the route table (api/table.ts) and the zod schemas it parses and
// answers with: what is documented is what runs.
import { z } from 'zod';
import type { Route } from './table.ts';
import * as S from './schemas.ts';

type Json = Record<string, unknown>;

const REF = '#/components/schemas/';

/** A zod schema as JSON Schema, with the named ones referenced from the components. */
function schema(s: z.ZodType, io: 'input' | 'output' = 'output'): Json {
  const { $schema: _s, $defs: _d, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', metadata: S.components }) as Json;
  return JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', `"${REF}`)) as Json;
}

function components(): Json {
  const { schemas } = z.toJSONSchema(S.components, { uri: (id) => `${REF}${id}`, unrepresentable: 'any' }) as { schemas: Record<string, Json> };
  return Object.fromEntries(
    Object.entries(schemas).map(([name, js]) => {
      const { $schema: _s, $id: _i, ...rest } = js;
      return [name, JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', `"${REF}`))];
    }),
  );
}

function parameters(s: z.ZodType | undefined, where: 'path' | 'query' | 'header'): Json[] {
  if (!s) return [];
  const js = schema(s, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required?.includes(name) ?? false),
    schema: p,
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
  }));
}

const problemOf = (description: string, s: z.ZodType = S.Problem): Json => ({ description, content: { 'application/problem+json': { schema: schema(s) } } });

function operation(r: Route): Json {
  const responses: Record<string, Json> = {};
  for (const [status, a] of Object.entries(r.responses)) {
    const code = Number(status);
    if (code < 400)
      responses[status] = a.schema
        ? { description: a.description, content: { 'application/json': { schema: schema(a.schema) } } }
        : { description: a.description };
    else responses[status] = problemOf(a.description, a.schema);
  }
  const takes = r.params || r.query || r.body || r.headers;
  if (r.body) responses['400'] ??= problemOf('The body is not JSON (or not UTF-8, or larger than 100 KB)');
  if (takes) responses['422'] ??= problemOf('Invalid input; `field` and `errors` name the offending fields, in Japanese and English');
  if (r.auth !== 'public') {
    responses['401'] ??= problemOf('No token, or an unknown or revoked one');
    responses['429'] ??= problemOf('Too many wrong tokens from this address; `Retry-After` says when to try again');
  }
  if (r.auth === 'admin') responses['403'] ??= problemOf('Only an admin token may do this');
  responses['503'] ??= problemOf('The database is busy; `Retry-After` says when to try again');
  return {
    operationId: r.operationId,
    summary: r.summary,
    tags: [r.tag],
    ...(r.auth === 'public' ? { security: [] } : {}),
    parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query'), ...parameters(r.headers, 'header')],
    ...(r.body ? { requestBody: { required: !r.bodyOptional, content: { 'application/json': { schema: schema(r.body, 'input') } } } } : {}),
    responses,
  };
}

/** The path of a route as the document writes it: /api/v1/consultations/{id}. */
export const documentedPath = (r: Route) => `/api/v1${r.path.replace(/:(\w+)/g, '{$1}')}`;

export function openApiDocument(table: ReadonlyArray<Route>, serverUrl: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of table) {
    const path = documentedPath(r);
    paths[path] = { ...paths[path], [r.method]: operation(r) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'madoguchi API',
      version: '1.0.0',
      description:
        'Online consultation counter on the city’s Webex or Teams. Times are ISO 8601 with +09:00 (Asia/Tokyo). Errors are RFC 9457 problem+json with Japanese (`title_ja`, `detail_ja`) and English (`title`, `detail`) text.',
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: components() },
    security: [{ bearer: [] }],
    paths,
  };
}
