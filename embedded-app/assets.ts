// The app's own JS and CSS, bundled with esbuild when the server starts (in memory, minified), served under
// /app/assets/<name>.<hash>.<ext> with a year of caching. The Webex SDK is served as-is from node_modules and is
// loaded by webex.js only when the page runs inside Webex.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export type EntryName = 'citizen' | 'staff' | 'webex' | 'teams' | 'teams-config';
export const ENTRIES: ReadonlyArray<EntryName> = ['citizen', 'staff', 'webex', 'teams', 'teams-config'];

export interface Asset {
  readonly file: string;
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
}

export interface Assets {
  /** URL path of an entry's script, or of the stylesheet. */
  readonly js: Record<EntryName, string>;
  readonly css: string;
  readonly webexSdk: string;
  byFile(file: string): Asset | undefined;
  /** Gzipped bytes of our own JS + CSS that a page of this entry loads (the SDKs are counted apart). */
  readonly shipped: Record<EntryName, { js: number; css: number; total: number }>;
  readonly webexSdkGzip: number;
  /**
   * Written into the page itself (allowed by their hashes in the CSP): the stylesheet on every app page and the
   * citizen's script on theirs, so that a citizen's first screen takes the one round trip its HTML takes.
   */
  readonly inline: { readonly css: string; readonly citizenJs: string };
}

const asset = (name: string, ext: 'js' | 'css', body: Buffer): Asset => {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  return {
    file: `${name}.${hash}.${ext}`,
    type: ext === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
    body,
    gzip: gzipSync(body, { level: 9 }),
  };
};

let built: Promise<Assets> | undefined;

/** Builds once per process (about a second on two cores). */
export const appAssets = (): Promise<Assets> => (built ??= build());

async function build(): Promise<Assets> {
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(ENTRIES.map((e) => [e, path.join(here, 'client', `${e}.ts`)])),
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'safari15'],
    write: false,
    outdir: 'out',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = new Map<string, Asset>();
  const js = {} as Record<EntryName, string>;
  for (const out of result.outputFiles) {
    const name = path.basename(out.path, '.js') as EntryName;
    const a = asset(name, 'js', Buffer.from(out.contents));
    files.set(a.file, a);
    js[name] = `/app/assets/${a.file}`;
  }
  const cssResult = await esbuild.build({
    entryPoints: [path.join(here, 'client', 'app.css')],
    bundle: true,
    minify: true,
    write: false,
    outdir: 'out',
    logLevel: 'silent',
  });
  const css = asset('app', 'css', Buffer.from(cssResult.outputFiles[0]!.contents));
  files.set(css.file, css);
  const sdk = asset('webex-embedded-app-sdk', 'js', readFileSync(require.resolve('@webex/embedded-app-sdk/dist/iife/bundle.min.js')));
  files.set(sdk.file, sdk);
  const shipped = Object.fromEntries(
    ENTRIES.map((e) => {
      const j = files.get(js[e].slice('/app/assets/'.length))!.gzip.length;
      return [e, { js: j, css: css.gzip.length, total: j + css.gzip.length }];
    }),
  ) as Assets['shipped'];
  const inline = { css: css.body.toString('utf8'), citizenJs: files.get(js.citizen.slice('/app/assets/'.length))!.body.toString('utf8') };
  // Built once: the bundler's own process and the worker thread its synchronous calls used (the staff pages' scripts,
  // compiled at import) are not needed any more, and would hold about 15 MB for the life of the server. A later call
  // starts them again.
  await esbuild.stop();
  // What goes inside <style> and <script> must not end them early.
  if (/<\/style/i.test(inline.css) || /<\/script/i.test(inline.citizenJs)) throw new Error('an inline asset would close its own element');
  return {
    js,
    css: `/app/assets/${css.file}`,
    webexSdk: `/app/assets/${sdk.file}`,
    byFile: (f) => files.get(f),
    shipped,
    webexSdkGzip: sdk.gzip.length,
    inline,
  };
}
