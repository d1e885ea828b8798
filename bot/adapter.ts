// One shape for every chat platform: a factory that, when its platform is configured, gives the chat port (how the
// domains reach staff there) and the route its deliveries come in on. An adapter only translates: a delivery becomes
// an InboundEvent for bot/handler.ts, the answer goes back; no store access and no rule of the city's lives in one.
import type { Router } from 'express';
import type { ProblemRenderer } from '../core/http.ts';
import type { Config } from '../core/config.ts';
import type { ChatPlatform } from '../core/chat.ts';
import type { BotDeps } from './context.ts';
import type { StaffPolicy } from './handler.ts';

export interface ChatAdapterDeps extends BotDeps {
  readonly config: Config;
  readonly policy: StaffPolicy;
}

export interface Mount {
  /** Where the router is mounted on the server. */
  readonly path: string;
  readonly router: Router;
  /** Mounted before the JSON body parser: the adapter checks a signature over the raw bytes. */
  readonly raw?: boolean;
  /** How a problem is shown there, when people read it as a page (default problem+json, for a webhook). */
  readonly problems?: ProblemRenderer;
}

export interface ChatAdapter {
  readonly platform: ChatPlatform;
  readonly mount?: Mount;
}

/** Null when the platform is not configured. */
export type ChatAdapterFactory = (deps: ChatAdapterDeps) => Promise<ChatAdapter | null>;
