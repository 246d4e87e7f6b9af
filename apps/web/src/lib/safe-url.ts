/**
 * Links and images in messages come from other users: only http(s) URLs (or paths on this
 * gateway) are ever put into an href or src, so a `javascript:` or `data:` URL stays text.
 */
export function safeUrl(raw: string, base: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return undefined;
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
}

/** Whether a file message is an image the client may preview inline. */
export function isPreviewableImage(mime: string): boolean {
  return /^image\/(png|jpeg|gif|webp|avif)$/i.test(mime);
}
