import type { Effects, NoticeDelivery } from '@im/protocol';

/** What a change asks the gateway to do: push notices, forget cached conversations. */
export function effects(notices: NoticeDelivery[] = [], conversations: string[] = []): Effects {
  return { notices, conversations };
}
