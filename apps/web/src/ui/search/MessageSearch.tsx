import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Kind, type ImEvent } from '@im/client';
import type { ChatModel } from '../../app/model.js';
import { navigate } from '../../app/router.js';
import { listTime } from '../../lib/format.js';
import { highlight, resultText, snippet } from '../../lib/search.js';
import { Avatar } from '../Avatar.js';
import { Icon } from '../icons.js';

const PAGE = 20;
const TYPING_PAUSE_MS = 300;

interface Results {
  query: string;
  events: ImEvent[];
  cursor: string | null;
  loading: boolean;
}

/**
 * Message search (search_messages): everywhere, or within one conversation. Results are
 * newest first with sender, conversation, time and the text with the hits marked; a click
 * opens the conversation at that message; "More results" follows the cursor. While no
 * search is under way the children show (the conversation list).
 */
export function MessageSearch({ model, conversationId, onPicked, autoFocus, children }: { model: ChatModel; conversationId?: string; onPicked?: () => void; autoFocus?: boolean; children?: ComponentChildren }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Results | undefined>();
  const asked = useRef(0);
  const pause = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(pause.current), []);

  const search = async (q: string, cursor?: string) => {
    const n = ++asked.current;
    const query = q.trim();
    if (!query) {
      setResults(undefined);
      return;
    }
    setResults((r) => (cursor && r ? { ...r, loading: true } : { query, events: [], cursor: null, loading: true }));
    const page = await model.run(model.client.searchMessages({ query: query.slice(0, 128), limit: PAGE, ...(conversationId ? { conversation_id: conversationId } : {}), ...(cursor ? { cursor } : {}) }));
    if (n !== asked.current) return; // a newer search took over
    if (!page) {
      setResults((r) => r && { ...r, loading: false });
      return;
    }
    model.ensurePeople(page.events.map((e) => e.sender_id));
    setResults((r) => ({ query, events: cursor && r ? [...r.events, ...page.events] : page.events, cursor: page.next_cursor, loading: false }));
  };

  const onInput = (value: string) => {
    setQuery(value);
    clearTimeout(pause.current);
    pause.current = setTimeout(() => void search(value), TYPING_PAUSE_MS);
  };
  const clear = () => {
    clearTimeout(pause.current);
    asked.current++;
    setQuery('');
    setResults(undefined);
  };
  const open = (e: ImEvent) => {
    navigate({ tab: 'chats', id: e.conversation_id });
    model.reveal({ conversation_id: e.conversation_id, event_id: e.id, seq: e.seq });
    onPicked?.();
  };

  const label = conversationId ? 'Search in this conversation' : 'Search messages';
  return (
    <>
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          clearTimeout(pause.current);
          void search(query);
        }}
      >
        <Icon name="search" size={18} />
        <input type="search" placeholder={label} aria-label={label} value={query} onInput={(e) => onInput(e.currentTarget.value)} onKeyDown={(e) => {
            if (e.key === 'Escape' && query) {
              e.preventDefault();
              clear();
            }
          }} maxLength={128} autofocus={autoFocus} />
        {query && (
          <button type="button" class="icon-btn small" aria-label="Clear search" onClick={clear}>
            <Icon name="close" size={16} />
          </button>
        )}
      </form>
      {results ? (
        <div class="search-results">
          {results.loading && results.events.length === 0 && <p class="muted pad">Searching…</p>}
          {!results.loading && results.events.length === 0 && <p class="muted pad">No messages match “{results.query}”.</p>}
          <ul class="result-list" aria-label="Search results">
            {results.events.map((e) => (
              <li key={e.id}>
                <Result model={model} e={e} query={results.query} global={!conversationId} onOpen={open} />
              </li>
            ))}
          </ul>
          {results.cursor && (
            <button type="button" class="btn ghost block" disabled={results.loading} onClick={() => void search(results.query, results.cursor!)}>
              {results.loading ? 'Loading…' : 'More results'}
            </button>
          )}
        </div>
      ) : (
        children
      )}
    </>
  );
}

function Result({ model, e, query, global, onOpen }: { model: ChatModel; e: ImEvent; query: string; global: boolean; onOpen: (e: ImEvent) => void }) {
  const sender = model.nameOf(e.sender_id);
  const conv = model.conversation(e.conversation_id);
  const where = conv ? model.conversationName(conv) : 'Conversation';
  return (
    <button type="button" class="result-row" data-event={e.id} onClick={() => onOpen(e)}>
      <Avatar id={e.sender_id} name={sender} size={36} />
      <span class="conv-main">
        <span class="conv-top">
          <span class="conv-name">{sender}</span>
          {global && <span class="result-where">in {where}</span>}
          <time class="conv-time" dateTime={new Date(e.created_at).toISOString()}>
            {listTime(e.created_at, Date.now())}
          </time>
        </span>
        <span class="result-text">
          {e.kind === Kind.FILE && '📎 '}
          {highlight(snippet(resultText(e), query), query).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : p.text))}
        </span>
      </span>
    </button>
  );
}
