/** Labels for times and sizes, in the reader's locale. Pure: `now` is passed in. */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** A conversation list's time: the time today, the weekday this week, else the date. */
export function listTime(ms: number, now: number, locale?: string): string {
  const d = new Date(ms);
  const n = new Date(now);
  if (sameDay(d, n)) return d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (now - ms < 6 * DAY && ms < now) return d.toLocaleDateString(locale, { weekday: 'short' });
  if (d.getFullYear() === n.getFullYear()) return d.toLocaleDateString(locale, { month: 'short', day: 'numeric' });
  return d.toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** The time shown on a message bubble. */
export function clockTime(ms: number, locale?: string): string {
  return new Date(ms).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

/** A day separator in a chat: Today, Yesterday, or the date. */
export function dayLabel(ms: number, now: number, locale?: string): string {
  const d = new Date(ms);
  const n = new Date(now);
  if (sameDay(d, n)) return 'Today';
  if (sameDay(d, new Date(now - DAY))) return 'Yesterday';
  const opts: Intl.DateTimeFormatOptions = { weekday: 'long', month: 'long', day: 'numeric' };
  if (d.getFullYear() !== n.getFullYear()) opts.year = 'numeric';
  return d.toLocaleDateString(locale, opts);
}

/** "online", "last seen 5 min ago", … for a presence record. */
export function presenceLabel(p: { online: boolean; last_seen: number | null } | undefined, now: number): string {
  if (!p) return '';
  if (p.online) return 'online';
  if (p.last_seen === null) return 'offline';
  const ago = Math.max(0, now - p.last_seen);
  if (ago < MINUTE) return 'last seen just now';
  if (ago < 60 * MINUTE) return `last seen ${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `last seen ${Math.floor(ago / (60 * MINUTE))} h ago`;
  return `last seen ${new Date(p.last_seen).toLocaleDateString()}`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 → "1.5 KB". */
export function fileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

/** Up to two letters for an avatar: "Alice Liddell" → "AL", "bob" → "B". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!].map((w) => firstLetter(w)) : [firstLetter(words[0] ?? '?')];
  return letters.join('').toUpperCase();
}

function firstLetter(word: string): string {
  return [...word][0] ?? '?';
}

/** A stable hue for a user or group id, so each avatar keeps its colour. */
export function hueOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 360;
}
