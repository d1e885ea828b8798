// Jobs: who runs the outbox. In production bree runs the worker in a thread, on an interval and whenever woken;
// tests may run the same job loop in-process (to put fakes in place of the providers).
import { fileURLToPath } from 'node:url';
import Bree from 'bree';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import { startWorker } from './run.ts';
import type { JobDeps, Worker } from './run.ts';

export type { Worker } from './run.ts';

export interface BreeJobsOptions {
  readonly config: Config;
  readonly log: Logger;
  /** How often to look for due work (retries, jobs left by another instance). */
  readonly intervalMs?: number;
}

const OUTBOX_JOB = fileURLToPath(new URL('./outbox-worker.ts', import.meta.url));

export async function startBreeJobs(o: BreeJobsOptions): Promise<Worker> {
  const log = o.log.child({ component: 'jobs' });
  let wanted = false;
  let stopped = false;
  const waiters: Array<() => void> = [];
  const bree = new Bree({
    root: false,
    acceptedExtensions: ['.ts'],
    // bree's own start/stop chatter at debug; errors at error.
    logger: { info: (m: unknown) => log.debug({ bree: m }), warn: (m: unknown) => log.debug({ bree: m }), error: (m: unknown) => log.error({ bree: String(m) }) } as never,
    errorHandler: (error: unknown) => log.error({ err: error instanceof Error ? error.message : String(error) }, 'outbox worker failed'),
    jobs: [{ name: 'outbox', path: OUTBOX_JOB, interval: o.intervalMs ?? 30_000, worker: { workerData: { config: o.config } } }],
  });
  const running = () => bree.workers.has('outbox');
  const run = () => {
    if (stopped) return;
    if (running()) {
      wanted = true;
      return;
    }
    wanted = false;
    bree.run('outbox').catch((error: Error) => log.error({ err: error.message }, 'could not start the outbox worker'));
  };
  bree.on('worker deleted', () => {
    if (wanted) run();
    else while (waiters.length > 0) waiters.shift()!();
  });
  await bree.start();
  return {
    wake: run,
    async idle() {
      const done = new Promise<void>((resolve) => waiters.push(resolve));
      run();
      await done;
    },
    async stop() {
      stopped = true;
      await bree.stop();
    },
  };
}

/** The same job loop in this thread (tests, or a single small installation). */
export function startInProcessJobs(deps: JobDeps, pollMs?: number): Worker {
  return startWorker(deps, pollMs);
}
