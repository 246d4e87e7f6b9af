import { useEffect, useState } from 'preact/hooks';
import type { ChatModel } from '../../app/model.js';
import { Avatar } from '../Avatar.js';
import { Dialog } from '../Dialog.js';

/** How often the lists are asked again while open: group reads are not pushed to the sender. */
const REFRESH_MS = 4000;

/** Who of a group has read one of your messages, and who has not yet (get_read_receipts). */
export function ReadByDialog({ model, conversationId, seq, onClose }: { model: ChatModel; conversationId: string; seq: number; onClose: () => void }) {
  const [receipts, setReceipts] = useState<{ read: string[]; unread: string[] } | undefined>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const res = await model.client.getReadReceipts(conversationId, seq);
        if (!live) return;
        const others = (ids: string[]) => ids.filter((id) => id !== model.userId);
        model.ensurePeople([...res.read, ...res.unread]);
        setReceipts({ read: others(res.read), unread: others(res.unread) });
        setFailed(false);
      } catch {
        if (live) setFailed(true);
      }
      if (live) timer = setTimeout(() => void load(), REFRESH_MS);
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [conversationId, seq]);
  void model.people.value;
  return (
    <Dialog title="Read by" onClose={onClose}>
      {!receipts && (failed ? <p class="form-error">Could not load who read it: trying again…</p> : <p class="muted">Loading…</p>)}
      {receipts && (
        <div class="receipts">
          <People model={model} title="Read by" ids={receipts.read} empty="Nobody yet" />
          <People model={model} title="Not read yet" ids={receipts.unread} empty="Everyone has read it" />
        </div>
      )}
    </Dialog>
  );
}

function People({ model, title, ids, empty }: { model: ChatModel; title: string; ids: string[]; empty: string }) {
  return (
    <section class="receipt-group" aria-label={title}>
      <h3 class="section-title">
        {title} <span>{ids.length}</span>
      </h3>
      {ids.length === 0 ? (
        <p class="muted small pad">{empty}</p>
      ) : (
        <ul class="receipt-list">
          {ids.map((id) => (
            <li key={id} class="receipt-row">
              <Avatar id={id} name={model.nameOf(id)} size={28} />
              <span>{model.nameOf(id)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
