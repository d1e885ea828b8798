// The admin page's script, compiled from admin/client/admin.ts once when the server starts (a few milliseconds),
// served under /admin/assets/<name>.<hash>.js with a year of caching.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const source = readFileSync(new URL('./client/admin.ts', import.meta.url), 'utf8');
const code = Buffer.from(
  esbuild.transformSync(source, { loader: 'ts', minify: true, target: ['es2020', 'safari15'], format: 'iife', legalComments: 'none' }).code,
);
const file = `admin.${createHash('sha256').update(code).digest('hex').slice(0, 10)}.js`;

export const adminScript = { path: `/admin/assets/${file}`, file, body: code } as const;
