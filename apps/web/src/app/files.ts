import { ImError, type ImClient } from '@im/client';
import { uploadErrorText, uploadMime, uploadName } from '../lib/files.js';
import type { FileInfo } from '../lib/tags.js';
import { errorText } from '../lib/errors.js';

/** Downloaded files kept for thumbnails and repeated downloads. */
const CACHE = 40;

/**
 * Files of the gateway (protocol 2.1) for the screens: uploads that become file messages,
 * and downloads. The access token goes in the Authorization header of each request (the
 * SDK refreshes it on a 401), never into a URL; what is fetched is handed over as a blob.
 */
export class FileTransfer {
  private readonly blobs = new Map<string, Promise<Blob>>();

  constructor(
    private readonly client: ImClient,
    private readonly toast: (text: string) => void,
  ) {}

  /**
   * Uploads a picked file and sends it as a file message. The upload happens here; the
   * message then goes through the outbox like any other (shown as sending until acked).
   * Resolves false, with a toast saying why, when the upload is refused.
   */
  async sendUpload(conversationId: string, file: File, caption: string): Promise<boolean> {
    const name = uploadName(file.name);
    let uploaded;
    try {
      uploaded = await this.client.uploadFile(file, { name, mime: uploadMime(file.type) });
    } catch (err) {
      this.toast(uploadErrorText(err as ImError));
      return false;
    }
    const dim = uploaded.mime.startsWith('image/') ? await imageDim(file) : undefined;
    this.client
      .sendFile(conversationId, { url: uploaded.url, mime: uploaded.mime, size: uploaded.size, name, sha256: uploaded.sha256, ...(dim ? { dim } : {}) }, caption)
      .catch((err: unknown) => {
        if (this.client.state !== 'closed') this.toast(`File not sent: ${errorText(err)}`);
      });
    return true;
  }

  /** A file of this gateway as a Blob (kept for a while, for thumbnails). */
  fetch(url: string): Promise<Blob> {
    let p = this.blobs.get(url);
    if (!p) {
      p = this.client.downloadFile(url).then(async (res) => {
        if (res.ok) return res.blob();
        if (res.status === 404) throw new ImError({ code: 'not_found', message: 'this file is not available to you (withdrawn, or you left the conversation)' }, 404);
        const body = (await res.json().catch(() => ({}))) as { error?: ConstructorParameters<typeof ImError>[0] };
        throw new ImError(body.error ?? { code: 'internal', message: `HTTP ${res.status}` }, res.status);
      });
      p.catch(() => this.blobs.delete(url));
      this.blobs.set(url, p);
      if (this.blobs.size > CACHE) this.blobs.delete(this.blobs.keys().next().value!);
    }
    return p;
  }

  /** Saves a file of this gateway under its name, through a blob URL. */
  async download(f: FileInfo): Promise<void> {
    try {
      const blob = await this.fetch(f.url);
      // As octet-stream, so the blob URL (which has this page's origin) is saved, never shown.
      const href = URL.createObjectURL(blob.slice(0, blob.size, 'application/octet-stream'));
      const a = document.createElement('a');
      a.href = href;
      a.download = f.name;
      a.rel = 'noopener';
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
    } catch (err) {
      this.toast(`Download failed: ${errorText(err)}`);
    }
  }
}

/** "WxH" of a picked image, when the browser can decode it (the `dim` tag). */
async function imageDim(file: Blob): Promise<string | undefined> {
  try {
    const bitmap = await createImageBitmap(file);
    const dim = `${bitmap.width}x${bitmap.height}`;
    bitmap.close();
    return dim;
  } catch {
    return undefined;
  }
}
