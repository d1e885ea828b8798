// Checks request bodies against the official OpenAPI documents vendored in specs/, strictly:
// every field we send must be one the document defines (typos fail), with the type and values it allows.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

type Node = Record<string, unknown>;

const specs = new Map<string, Node>();

function spec(file: string): Node {
  let s = specs.get(file);
  if (!s) {
    s = JSON.parse(readFileSync(new URL(`../specs/${file}`, import.meta.url), 'utf8')) as Node;
    specs.set(file, s);
  }
  return s;
}

/** Inlines $refs and closes every object schema that lists its properties. */
function strict(node: unknown, root: Node, depth = 0): unknown {
  if (Array.isArray(node)) return node.map((n) => strict(n, root, depth));
  if (!node || typeof node !== 'object') return node;
  const n = node as Node;
  if (typeof n.$ref === 'string') {
    if (depth > 12) return {};
    const target = n.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((o, k) => (o as Node)[k], root);
    return strict(target, root, depth + 1);
  }
  const out: Node = {};
  for (const [k, v] of Object.entries(n)) {
    if (k === 'example' || k === 'examples') continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Node).map(([pk, pv]) => [pk, strict(pv, root, depth)])) : strict(v, root, depth);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });

/** Problems with `body` against components.schemas[schemaName] of a spec file; [] when it conforms. */
export function bodyProblems(file: string, schemaName: string, body: unknown): string[] {
  const root = spec(file);
  const schema = strict({ $ref: `#/components/schemas/${schemaName}` }, root) as Node;
  const validate = ajv.compile(schema);
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`,
  );
}

/** The media type the spec declares for an operation's request body. */
export function requestMediaTypes(file: string, path: string, method: string): string[] {
  const op = ((spec(file).paths as Node)[path] as Node)[method] as Node;
  return Object.keys(((op.requestBody as Node).content as Node) ?? {});
}

/** Problems with `body` against the request-body schema of one operation (for operations whose schema is inline). */
export function operationBodyProblems(file: string, path: string, method: string, body: unknown): string[] {
  const root = spec(file);
  const op = ((root.paths as Node)[path] as Node)[method] as Node;
  const schema = strict((((op.requestBody as Node).content as Node)['application/json'] as Node).schema, root) as Node;
  const validate = ajv.compile(schema);
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`,
  );
}

const ajv2020 = new Ajv2020({ strict: false, allErrors: true });

/**
 * Problems with `body` against a schema of an OpenAPI 3.1 document of our own (`root`), its $refs inlined and every
 * object that lists its properties closed (a member the document does not name is a problem); [] when it conforms.
 */
export function documentedBodyProblems(root: Node, schema: unknown, body: unknown): string[] {
  const validate = ajv2020.compile(strict(schema, root) as Node);
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`,
  );
}
