import { useEffect, useState } from 'preact/hooks';
import type { ChatModel } from '../../app/model.js';
import { uploadName } from '../../lib/files.js';
import { fileSize } from '../../lib/format.js';
import { isPreviewableImage, safeUrl } from '../../lib/safe-url.js';
import { Dialog } from '../Dialog.js';

type Source = 'device' | 'link';

/**
 * Sending a file message (kind 3): a file from this device, uploaded to the gateway
 * (POST /api/files) and then sent; or a link to a file elsewhere, with the name, size and
 * type the message carries (the server stores the link; it does not fetch it).
 */
export function FileDialog({ model, conversationId, onClose }: { model: ChatModel; conversationId: string; onClose: () => void }) {
  const [source, setSource] = useState<Source>('device');
  const tab = (s: Source, label: string) => (
    <button type="button" role="tab" aria-selected={source === s} class={`tab${source === s ? ' active' : ''}`} onClick={() => setSource(s)}>
      {label}
    </button>
  );
  return (
    <Dialog title="Send a file" onClose={onClose}>
      <div class="tabs two" role="tablist" aria-label="Where the file is">
        {tab('device', 'From this device')}
        {tab('link', 'A link')}
      </div>
      {source === 'device' ? <UploadForm model={model} conversationId={conversationId} onClose={onClose} /> : <LinkForm model={model} conversationId={conversationId} onClose={onClose} />}
    </Dialog>
  );
}

function UploadForm({ model, conversationId, onClose }: { model: ChatModel; conversationId: string; onClose: () => void }) {
  const [file, setFile] = useState<File | undefined>();
  const [caption, setCaption] = useState('');
  const [busy, setBusy] = useState(false);
  const preview = useLocalPreview(file);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file || busy) return;
    setBusy(true);
    const sent = await model.files.sendUpload(conversationId, file, caption.trim());
    setBusy(false);
    if (sent) onClose();
  };
  return (
    <form class="form" onSubmit={(e) => void submit(e)}>
      <label>
        File from this device
        <input type="file" name="file" required onChange={(e) => setFile(e.currentTarget.files?.[0])} disabled={busy} />
      </label>
      {file && (
        <div class="upload-pick">
          {preview && <img class="file-preview" src={preview} alt="" />}
          <p class="small muted">
            {uploadName(file.name)} · {fileSize(file.size)}
            {file.type ? ` · ${file.type}` : ''}
          </p>
        </div>
      )}
      <label>
        Caption <span class="muted">(optional)</span>
        <input value={caption} onInput={(e) => setCaption(e.currentTarget.value)} maxLength={4096} disabled={busy} />
      </label>
      <button class="btn primary block" disabled={!file || busy}>
        {busy ? 'Uploading…' : 'Upload and send'}
      </button>
    </form>
  );
}

/** A blob URL of a picked image, for a preview before sending (it never leaves the page). */
function useLocalPreview(file: File | undefined): string | undefined {
  const [src, setSrc] = useState<string | undefined>();
  useEffect(() => {
    if (!file || !isPreviewableImage(file.type)) {
      setSrc(undefined);
      return;
    }
    const url = URL.createObjectURL(file);
    setSrc(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);
  return src;
}

function LinkForm({ model, conversationId, onClose }: { model: ChatModel; conversationId: string; onClose: () => void }) {
  const [error, setError] = useState<string | undefined>();
  const submit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const url = String(f.get('url') ?? '').trim();
    if (!safeUrl(url, location.origin) || !/^https?:\/\//i.test(url)) {
      setError('The link must start with http:// or https://');
      return;
    }
    const size = Number(f.get('size'));
    const name = String(f.get('name') ?? '').trim() || url.split('/').pop() || 'file';
    const mime = String(f.get('mime') ?? '').trim() || 'application/octet-stream';
    onClose();
    model.client.sendFile(conversationId, { url, name, size, mime }, String(f.get('caption') ?? '').trim()).catch((err: unknown) => model.toast(`File not sent: ${(err as Error).message}`));
  };
  return (
    <form class="form" onSubmit={submit}>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <label>
        Link to the file
        <input name="url" type="url" required placeholder="https://…" autofocus maxLength={1024} />
      </label>
      <label>
        File name
        <input name="name" required maxLength={255} placeholder="report.pdf" />
      </label>
      <div class="form-row">
        <label>
          Size in bytes
          <input name="size" type="number" required min={0} step={1} inputMode="numeric" />
        </label>
        <label>
          Type
          <input name="mime" required placeholder="application/pdf" maxLength={255} pattern="[\w.+\-]+/[\w.+\-]+" title="a MIME type such as image/png" />
        </label>
      </div>
      <label>
        Caption <span class="muted">(optional)</span>
        <input name="caption" maxLength={4096} />
      </label>
      <button class="btn primary block">Send file</button>
    </form>
  );
}
