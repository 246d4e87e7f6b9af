import { useEffect, useState } from 'preact/hooks';
import type { ChatModel } from '../app/model.js';
import { Icon } from './icons.js';

/** The connection banner, driven by ImClient's state: shown whenever the client is not open. */
export function Banner({ model }: { model: ChatModel }) {
  const c = model.connection.value;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (c.state === 'open') return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [c.state]);
  if (c.state === 'open') return null;
  if (c.state === 'closed') {
    if (c.closed?.reason !== 'replaced') return null;
    return (
      <div class="banner warn" role="alert" data-state="closed">
        <Icon name="wifi" size={18} />
        <span>This tab was disconnected because the account opened too many connections.</span>
        <button type="button" class="btn small" onClick={() => void model.client.connect()}>
          Reconnect
        </button>
      </div>
    );
  }
  const secs = c.retryAt ? Math.max(0, Math.ceil((c.retryAt - now) / 1000)) : 0;
  const label = c.state === 'reconnecting' ? 'Connection lost. Reconnecting' : 'Connecting';
  return (
    <div class="banner" role="status" aria-live="polite" data-state={c.state}>
      <span class="spinner" aria-hidden="true" />
      <span>
        {label}
        {secs > 1 ? ` in ${secs} s` : '…'}
        {c.state === 'reconnecting' && <span class="banner-sub"> Messages you send now go out when it is back.</span>}
      </span>
    </div>
  );
}
