import { useEffect, useMemo, useState } from 'preact/hooks';
import { ImHttp, type Session } from '@im/client';
import { ChatModel } from '../app/model.js';
import { clearSession, loadSession, saveSession } from '../app/session.js';
import { AuthScreen } from './AuthScreen.js';
import { Shell } from './Shell.js';

/** The gateway serving this page is the one to talk to. */
const BASE = location.origin;

export function App() {
  const http = useMemo(() => new ImHttp(BASE), []);
  const [session, setSession] = useState<Session | undefined>(() => loadSession());
  const [notice, setNotice] = useState<string | undefined>();
  const [model, setModel] = useState<ChatModel | undefined>();

  useEffect(() => {
    if (!session) return;
    const m = new ChatModel(
      session,
      BASE,
      (message) => {
        clearSession();
        setNotice(message);
        setSession(undefined);
      },
      saveSession,
    );
    setModel(m);
    m.start();
    return () => {
      setModel(undefined);
      void m.dispose();
    };
    // A new model only for a new sign-in; refreshed tokens go to the same client.
  }, [session?.user.user_id, session?.device_id]);

  if (!session) {
    return (
      <AuthScreen
        http={http}
        notice={notice}
        onSession={(s) => {
          saveSession(s);
          setNotice(undefined);
          setSession(s);
        }}
      />
    );
  }
  return model ? <Shell model={model} /> : null;
}
