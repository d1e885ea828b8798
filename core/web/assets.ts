// The staff pages' scripts (admin page and console; a surface may add its own, like the counter and the board), each
// compiled from its TypeScript when the server starts (a few milliseconds), served at /assets/<name>.<hash>.js with a
// year of caching: no inline script anywhere.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express from 'express';
import type { Router } from 'express';
import * as esbuild from 'esbuild';

export interface ClientScript {
  /** Where the page loads it from. */
  readonly path: string;
  readonly file: string;
  readonly body: Buffer;
}

/** One browser script from its TypeScript source (no imports: each is a single file). */
export function clientScript(source: URL, name: string): ClientScript {
  const code = Buffer.from(
    esbuild.transformSync(readFileSync(source, 'utf8'), { loader: 'ts', minify: true, target: ['es2020', 'safari15'], format: 'iife', legalComments: 'none' })
      .code,
  );
  const file = `${name}.${createHash('sha256').update(code).digest('hex').slice(0, 10)}.js`;
  return { path: `/assets/${file}`, file, body: code };
}

export const staffScript = clientScript(new URL('./client/staff.ts', import.meta.url), 'staff');

/** GET /assets/<file> for each script (the name changes with its content, so it is cached for a year). */
export function staffAssetsRouter(scripts: ReadonlyArray<ClientScript> = [staffScript]): Router {
  const r = express.Router();
  for (const s of scripts) {
    r.get(`/${s.file}`, (_req, res) => {
      res.set({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=31536000, immutable' }).send(s.body);
    });
  }
  return r;
}
