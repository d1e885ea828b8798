// bot/ owns the staff chat bot: the transport-free command core, the relay, and the chat platforms it talks through.
import type { Config } from '../core/config.ts';
import type { ChatPlatform } from './chat.ts';
import { createConsolePlatform } from './chat.ts';
import { createWebexPlatform, webexClientFor } from './webex/index.ts';
import { createTeamsSender } from './teams/index.ts';
import type { Logger } from '../core/log.ts';
import type { ChatPlatformKind } from './staff.ts';

export { handleAction, handleMessage } from './core.ts';
export type { BotDeps, Reply, Sender } from './core.ts';

/**
 * The chat platforms relay alerts go to. The console (the /console training page) is always there in dry-run;
 * Webex and Teams adapters join when they are configured.
 */
export async function createChatPlatforms(config: Config, log: Logger): Promise<Partial<Record<ChatPlatformKind, ChatPlatform>>> {
  return {
    console: createConsolePlatform(),
    ...(config.webexBot ? { webex: createWebexPlatform(webexClientFor(config.webexBot)) } : {}),
    ...(config.teams ? { teams: await createTeamsSender(config.teams, log) } : {}),
  };
}
