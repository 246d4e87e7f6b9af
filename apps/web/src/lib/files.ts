import { fileSize } from './format.js';
import { isPreviewableImage } from './safe-url.js';

/** Rules for uploading and fetching files (protocol 2.1), pure so they are unit-tested. */

const NAME_MAX = 255;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
/** Images up to this size get a thumbnail in the chat; larger ones show as a file row only. */
export const THUMBNAIL_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The name to upload a picked file under: what the server accepts (1–255 characters, no
 * control characters, no "/" or "\", not "." or ".."). A long name keeps its extension.
 */
export function uploadName(raw: string): string {
  let name = raw.replace(CONTROL, '').replace(/[/\\]/g, '_').trim();
  if (name === '' || name === '.' || name === '..') return 'file';
  if (name.length <= NAME_MAX) return name;
  const chars = [...name];
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? [...name.slice(dot)] : [];
  let head = chars.slice(0, chars.length - ext.length);
  // Whole characters only: cut by code points until the UTF-16 length fits.
  while (head.join('').length + ext.join('').length > NAME_MAX) head = head.slice(0, -1);
  return head.join('') + ext.join('');
}

/** The media type to upload with: the browser's guess, or the generic one when it has none. */
export function uploadMime(type: string): string {
  const t = type.split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(t) ? t : 'application/octet-stream';
}

/**
 * A file stored by the gateway serving this page: its GET needs the access token, which
 * goes in a header of a fetch, never into a URL. Other hosts' files are plain links.
 */
export function isGatewayFile(url: string, origin: string): boolean {
  try {
    const u = new URL(url, origin);
    return u.origin === new URL(origin).origin && u.pathname.startsWith('/api/files/');
  } catch {
    return false;
  }
}

/** Whether a file message gets an inline thumbnail (common raster images, not too large). */
export function wantsThumbnail(mime: string, size: number): boolean {
  return isPreviewableImage(mime) && size <= THUMBNAIL_MAX_BYTES;
}

/** What to tell the user when an upload is refused, from the error's code and message. */
export function uploadErrorText(err: { code?: string; message?: string; retryAfter?: number | undefined }): string {
  if (err.code === 'too_large') {
    const limit = /at most (\d+) bytes/.exec(err.message ?? '')?.[1];
    return limit ? `File not sent: files may hold at most ${fileSize(Number(limit))}.` : 'File not sent: it is too large.';
  }
  if (err.code === 'rate_limited') {
    const hours = err.retryAfter ? Math.max(1, Math.ceil(err.retryAfter / 3600)) : undefined;
    return hours ? `File not sent: the daily upload limit is reached (try again in ${hours} h).` : 'File not sent: the daily upload limit is reached.';
  }
  const m = err.message ?? 'something went wrong';
  return `File not sent: ${m.charAt(0).toLowerCase()}${m.slice(1)}`;
}
