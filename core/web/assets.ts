// The staff pages' one script (admin page and console), compiled from core/web/client/staff.ts when the server starts
// (a few milliseconds), served at /assets/staff.<hash>.js with a year of caching: no inline script anywhere.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express from 'express';
import type { Router } from 'express';
import * as esbuild from 'esbuild';

const source = readFileSync(new URL('./client/staff.ts', import.meta.url), 'utf8');
const code = Buffer.from(
  esbuild.transformSync(source, { loader: 'ts', minify: true, target: ['es2020', 'safari15'], format: 'iife', legalComments: 'none' }).code,
);
const file = `staff.${createHash('sha256').update(code).digest('hex').slice(0, 10)}.js`;

export const staffScript = { path: `/assets/${file}`, file, body: code } as const;

/** GET /assets/<file>: the staff script (the name changes with its content, so it is cached for a year). */
export function staffAssetsRouter(): Router {
  const r = express.Router();
  r.get(`/${file}`, (_req, res) => {
    res.set({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=31536000, immutable' }).send(code);
  });
  return r;
}
