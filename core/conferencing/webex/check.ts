// npm run check:webex — is the token accepted, is it the host account or allowed to schedule for it, can it read meetings.
import type { WebexConfig } from '../../config.ts';
import type { CheckLine } from '../check.ts';
import { failed, pass } from '../check.ts';
import { ProviderError } from '../types.ts';
import { createWebexClient } from './client.ts';
import type { TokenSource, WebexClientOptions } from './client.ts';
import { WebexMeetingList, WebexPerson } from './schemas.ts';
import { z } from 'zod';

const PeopleList = z.object({ items: z.array(WebexPerson) });

export async function checkWebex(config: WebexConfig, tokens: TokenSource, client?: Partial<WebexClientOptions>): Promise<CheckLine[]> {
  const api = createWebexClient({ baseUrl: config.apiBaseUrl, tokens, maxRetries: 1, ...client });
  const lines: CheckLine[] = [];
  let me: z.infer<typeof WebexPerson>;
  try {
    me = (await api.request('GET', '/people/me', { schema: WebexPerson })).data;
    lines.push(pass(`トークンは有効です（${me.displayName ?? me.emails[0] ?? me.id}）`, `The token works (${me.displayName ?? me.emails[0] ?? me.id}).`));
  } catch (error) {
    const e = error as ProviderError;
    lines.push(
      failed(
        `Webex に接続できません: ${e.message}。トークン（WEBEX_ACCESS_TOKEN、または WEBEX_CLIENT_ID・WEBEX_CLIENT_SECRET・WEBEX_REFRESH_TOKEN）と WEBEX_API_BASE_URL を確認してください。`,
        `Cannot use Webex: ${e.message}. Check the token (WEBEX_ACCESS_TOKEN, or WEBEX_CLIENT_ID, WEBEX_CLIENT_SECRET, WEBEX_REFRESH_TOKEN) and WEBEX_API_BASE_URL.`,
      ),
    );
    return lines;
  }
  const own = me.emails.some((e) => e.toLowerCase() === config.hostEmail.toLowerCase());
  let hostEmail: string | undefined;
  if (own) {
    lines.push(pass(`トークンは専用アカウント ${config.hostEmail} 自身のものです`, `The token is the host account's own (${config.hostEmail}).`));
  } else {
    hostEmail = config.hostEmail;
    try {
      const { data } = await api.request('GET', '/people', { query: { email: config.hostEmail }, schema: PeopleList });
      lines.push(
        data.items.length > 0
          ? pass(
              `専用アカウント ${config.hostEmail} が見つかりました（このトークンはその代理で予約します）`,
              `Host account ${config.hostEmail} found; this token schedules on its behalf.`,
            )
          : failed(
              `専用アカウント ${config.hostEmail} が組織に見つかりません。WEBEX_HOST_EMAIL を確認してください。`,
              `Host account ${config.hostEmail} was not found in the organization; check WEBEX_HOST_EMAIL.`,
            ),
      );
    } catch (error) {
      lines.push(
        failed(
          `専用アカウントを確認できません（${(error as Error).message}）。代理で予約するには、サービスアプリに meeting:admin_schedule_write と meeting:admin_schedule_read のスコープが必要です。`,
          `Cannot look up the host account (${(error as Error).message}). Scheduling for it needs the meeting:admin_schedule_write and meeting:admin_schedule_read scopes.`,
        ),
      );
    }
  }
  try {
    await api.request('GET', '/meetings', { query: { max: '1', ...(hostEmail ? { hostEmail } : {}) }, schema: WebexMeetingList });
    lines.push(pass('会議の一覧を読めます（会議の読み取りスコープあり）', 'Meetings can be listed (read scope present).'));
  } catch (error) {
    const status = error instanceof ProviderError ? error.status : null;
    lines.push(
      failed(
        `会議を読めません（${(error as Error).message}）。${status === 403 ? `スコープ ${hostEmail ? 'meeting:admin_schedule_read' : 'meeting:schedules_read'} を追加してください。` : ''}`,
        `Cannot list meetings (${(error as Error).message}).${status === 403 ? ` Add the ${hostEmail ? 'meeting:admin_schedule_read' : 'meeting:schedules_read'} scope.` : ''}`,
      ),
    );
  }
  lines.push(
    pass(
      `会議の作成には ${hostEmail ? 'meeting:admin_schedule_write' : 'meeting:schedules_write'} スコープが必要です（作成は予約時に確かめられ、拒否されると相談は「要対応」になります）`,
      `Creating meetings needs the ${hostEmail ? 'meeting:admin_schedule_write' : 'meeting:schedules_write'} scope (checked at booking; a refusal marks the consultation "needs attention").`,
    ),
  );
  return lines;
}
