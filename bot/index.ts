// bot/ owns the staff chat bot: commands and card actions as data, the one handler every platform's deliveries go
// through, and the adapters — one folder per platform, one factory shape — that connect it to Webex, Teams and the
// console. A new platform is one more folder and one more line here.
import type { ChatPlatformKind, ChatPlatforms } from '../core/chat.ts';
import type { ChatAdapterDeps, ChatAdapterFactory, Mount } from './adapter.ts';
import { createConsoleChat } from './console/index.ts';
import { createTeamsChat } from './teams/index.ts';
import { createWebexChat } from './webex/index.ts';

export { handleAction, handleMessage } from './handler.ts';
export type { StaffPolicy } from './handler.ts';
export type { BotDeps, Reply, Sender } from './context.ts';
export type { ChatAdapterDeps } from './adapter.ts';

export const CHAT_ADAPTERS: Record<ChatPlatformKind, ChatAdapterFactory> = {
  console: createConsoleChat,
  webex: createWebexChat,
  teams: createTeamsChat,
};

/** Every configured chat platform: the ports the domains send through, and the routes deliveries come in on. */
export async function createChats(deps: ChatAdapterDeps): Promise<{ platforms: ChatPlatforms; mounts: Mount[] }> {
  const platforms: ChatPlatforms = {};
  const mounts: Mount[] = [];
  for (const factory of Object.values(CHAT_ADAPTERS)) {
    const adapter = await factory(deps);
    if (!adapter) continue;
    platforms[adapter.platform.kind] = adapter.platform;
    if (adapter.mount) mounts.push(adapter.mount);
  }
  return { platforms, mounts };
}
