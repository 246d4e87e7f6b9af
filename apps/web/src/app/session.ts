import type { Session } from '@im/client';

/**
 * The signed-in session lives in localStorage so a reload resumes it (the refresh token
 * included: this is what "stay signed in" means in a browser; logging out revokes it).
 */
const SESSION_KEY = 'im.session';
const DEVICE_KEY = 'im.device';

export function loadSession(): Session | undefined {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Session;
    return typeof s.token === 'string' && typeof s.refresh_token === 'string' && s.user?.user_id ? s : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  localStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(SESSION_KEY);
}

/** One device id per browser profile, so the server counts this browser as one device. */
export function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    id = `web-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}
