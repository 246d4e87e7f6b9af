import { signal } from '@preact/signals';

/**
 * Hash routes, so the gateway serves one index.html and the back button works on phones:
 * #/chats, #/chats/<conversation_id>, #/friends, #/groups, #/groups/<group_id>, #/moments.
 */
export type Tab = 'chats' | 'friends' | 'groups' | 'moments';

export interface Route {
  tab: Tab;
  id?: string;
}

const TABS: readonly Tab[] = ['chats', 'friends', 'groups', 'moments'];

export function parseRoute(hash: string): Route {
  const [tab, id] = hash.replace(/^#\/?/, '').split('/').map((p) => decodeURIComponent(p));
  const t = TABS.includes(tab as Tab) ? (tab as Tab) : 'chats';
  return id ? { tab: t, id } : { tab: t };
}

export function routeHash(r: Route): string {
  return `#/${r.tab}${r.id ? `/${encodeURIComponent(r.id)}` : ''}`;
}

export const route = signal<Route>(parseRoute(globalThis.location?.hash ?? ''));

globalThis.addEventListener?.('hashchange', () => {
  route.value = parseRoute(location.hash);
});

export function navigate(r: Route): void {
  const hash = routeHash(r);
  if (location.hash !== hash) location.hash = hash;
  route.value = r;
}
