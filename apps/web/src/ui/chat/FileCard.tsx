import { useEffect, useState } from 'preact/hooks';
import type { Tag } from '@im/client';
import type { ChatModel } from '../../app/model.js';
import { isGatewayFile, wantsThumbnail } from '../../lib/files.js';
import { fileSize } from '../../lib/format.js';
import { isPreviewableImage, safeUrl } from '../../lib/safe-url.js';
import { fileOf, type FileInfo } from '../../lib/tags.js';
import { Icon } from '../icons.js';

/**
 * A file message (kind 3): name, size, type, and a way to get it. Files on this gateway
 * need the access token, which never goes into a URL: they are fetched with it in a header
 * and handed over as a blob (a thumbnail for images, a download otherwise). Files of other
 * hosts are plain links (http(s) only).
 */
export function FileCard({ model, tags }: { model: ChatModel; tags: readonly Tag[] }) {
  const f = fileOf(tags);
  if (!f) return <p class="muted">A file that cannot be shown</p>;
  return isGatewayFile(f.url, location.origin) ? <StoredFile model={model} f={f} /> : <LinkedFile f={f} />;
}

function StoredFile({ model, f }: { model: ChatModel; f: FileInfo }) {
  const thumb = useBlobUrl(model, f.url, wantsThumbnail(f.mime, f.size));
  const [busy, setBusy] = useState(false);
  const download = () => {
    setBusy(true);
    void model.files.download(f).finally(() => setBusy(false));
  };
  return (
    <div class="file-card">
      {thumb && (
        <button type="button" class="file-thumb" onClick={download} aria-label={`Download ${f.name}`}>
          <img class="file-preview" src={thumb} alt={f.name} />
        </button>
      )}
      <div class="file-row">
        <FileInfoRow f={f} />
        <button type="button" class="btn small" onClick={download} disabled={busy} aria-label={`Download ${f.name}`}>
          {busy ? 'Loading…' : 'Download'}
        </button>
      </div>
    </div>
  );
}

function LinkedFile({ f }: { f: FileInfo }) {
  const href = safeUrl(f.url, location.origin);
  return (
    <div class="file-card">
      {href && isPreviewableImage(f.mime) && <img class="file-preview" src={href} alt={f.name} loading="lazy" referrerpolicy="no-referrer" />}
      <div class="file-row">
        <FileInfoRow f={f} />
        {href ? (
          <a class="btn small" href={href} target="_blank" rel="noopener noreferrer" download={f.name}>
            Open
          </a>
        ) : (
          <span class="muted small" title={f.url}>
            link blocked
          </span>
        )}
      </div>
    </div>
  );
}

function FileInfoRow({ f }: { f: FileInfo }) {
  return (
    <>
      <span class="file-icon">
        <Icon name="file" size={22} />
      </span>
      <span class="file-info">
        <span class="file-name">{f.name}</span>
        <span class="file-meta">
          {fileSize(f.size)} · {f.mime}
        </span>
      </span>
    </>
  );
}

/** A blob URL of a gateway file while the component shows (fetched with the token), or undefined. */
function useBlobUrl(model: ChatModel, url: string, enabled: boolean): string | undefined {
  const [src, setSrc] = useState<string | undefined>();
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    let made: string | undefined;
    model.files.fetch(url).then(
      (blob) => {
        if (!live) return;
        made = URL.createObjectURL(blob);
        setSrc(made);
      },
      () => undefined, // no thumbnail; the download button says why when pressed
    );
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url, enabled]);
  return src;
}
