// Checks request bodies against Microsoft Graph's official metadata (CSDL, vendored in specs/), strictly: every field
// we send must be a property of the entity or complex type (with its base types), or a parameter of the action, with
// the type it has there — strings, booleans, ISO date-times with an offset, enum members, collections, nested types.
import { readFileSync } from 'node:fs';

interface Member {
  readonly name: string;
  readonly type: string;
}

interface Schema {
  readonly structured: Map<string, { base: string | null; members: Member[] }>;
  readonly enums: Map<string, string[]>;
  readonly actions: Map<string, Member[]>;
}

const cache = new Map<string, Schema>();

const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1] ?? null;

function load(file: string): Schema {
  const hit = cache.get(file);
  if (hit) return hit;
  const xml = readFileSync(new URL(`../specs/${file}`, import.meta.url), 'utf8');
  const schema: Schema = { structured: new Map(), enums: new Map(), actions: new Map() };
  for (const m of xml.matchAll(/<(EntityType|ComplexType|EnumType|Action)\b([^>]*)>([\s\S]*?)<\/\1>/g)) {
    const [, kind, head, body] = m;
    const name = attr(head!, 'Name')!;
    if (kind === 'EnumType') {
      schema.enums.set(
        `graph.${name}`,
        [...body!.matchAll(/<Member\b[^>]*Name="([^"]+)"/g)].map((x) => x[1]!),
      );
      continue;
    }
    const tag = kind === 'Action' ? 'Parameter' : 'Property';
    const members = [...body!.matchAll(new RegExp(`<${tag}\\b([^>]*)/?>`, 'g'))].map((x) => ({ name: attr(x[1]!, 'Name')!, type: attr(x[1]!, 'Type')! }));
    if (kind === 'Action')
      schema.actions.set(
        name,
        members.filter((p) => p.name !== 'bindingParameter'),
      );
    else schema.structured.set(`graph.${name}`, { base: attr(head!, 'BaseType'), members });
  }
  cache.set(file, schema);
  return schema;
}

function membersOf(s: Schema, type: string): Member[] | null {
  const t = s.structured.get(type);
  if (!t) return null;
  return [...t.members, ...(t.base ? (membersOf(s, t.base) ?? []) : [])];
}

function check(s: Schema, type: string, value: unknown, path: string, out: string[]): void {
  const collection = /^Collection\((.+)\)$/.exec(type);
  if (collection) {
    if (!Array.isArray(value)) out.push(`${path}: expected an array of ${collection[1]}`);
    else for (const [i, v] of value.entries()) check(s, collection[1]!, v, `${path}[${i}]`, out);
    return;
  }
  switch (type) {
    case 'Edm.String':
      if (typeof value !== 'string') out.push(`${path}: expected a string`);
      return;
    case 'Edm.Boolean':
      if (typeof value !== 'boolean') out.push(`${path}: expected true or false`);
      return;
    case 'Edm.DateTimeOffset':
      if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value))
        out.push(`${path}: expected a date-time with an offset`);
      return;
  }
  const members = s.enums.get(type);
  if (members) {
    if (typeof value !== 'string' || !members.includes(value)) out.push(`${path}: "${String(value)}" is not one of ${members.join(', ')}`);
    return;
  }
  const props = membersOf(s, type);
  if (!props) {
    out.push(`${path}: ${type} is not in the extract (add it from the official metadata before sending it)`);
    return;
  }
  checkObject(s, props, value, path, out);
}

function checkObject(s: Schema, props: Member[], value: unknown, path: string, out: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(`${path || 'body'}: expected an object`);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const p = props.find((x) => x.name === k);
    if (!p) out.push(`${path ? `${path}.` : ''}${k}: not defined by the official description`);
    else check(s, p.type, v, path ? `${path}.${k}` : k, out);
  }
}

/** What is wrong with `body` as the given type (`graph.onlineMeeting`) or action's parameters (`action:createOrGet`). */
export function csdlProblems(file: string, target: string, body: unknown): string[] {
  const s = load(file);
  const out: string[] = [];
  if (target.startsWith('action:')) {
    const params = s.actions.get(target.slice(7));
    if (!params) return [`no action ${target.slice(7)} in ${file}`];
    checkObject(s, params, body, '', out);
  } else check(s, target, body, '', out);
  return out;
}
