import { useState } from 'preact/hooks';
import { ImHttp, type Session } from '@im/client';
import { errorText } from '../app/model.js';
import { deviceId } from '../app/session.js';
import { Icon } from './icons.js';

type Mode = 'login' | 'signup' | 'code';

/** Sign in with a password, sign up, or sign in with a code mailed to an address. */
export function AuthScreen({ http, onSession, notice }: { http: ImHttp; onSession: (s: Session) => void; notice?: string | undefined }) {
  const [mode, setMode] = useState<Mode>('login');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [info, setInfo] = useState<string | undefined>(notice);
  const [codeSent, setCodeSent] = useState(false);
  const device = { device_id: deviceId(), platform: 'web' as const };

  const attempt = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      const e = err as { code?: string; retryAfter?: number };
      setError(e.code === 'rate_limited' && e.retryAfter ? `${errorText(err)} (try again in ${e.retryAfter} s)` : errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const onLogin = (form: FormData) =>
    attempt(async () => {
      const id = String(form.get('account') ?? '').trim();
      const password = String(form.get('password') ?? '');
      const account = id.includes('@') ? { email: id } : /^\+\d/.test(id) ? { phone: id } : { username: id };
      onSession(await http.login({ ...account, password, ...device }));
    });

  const onSignup = (form: FormData) =>
    attempt(async () => {
      const username = String(form.get('username') ?? '').trim();
      const password = String(form.get('password') ?? '');
      const nickname = String(form.get('nickname') ?? '').trim();
      const email = String(form.get('email') ?? '').trim();
      await http.register({ username, password, ...(nickname ? { nickname } : {}), ...(email ? { email } : {}) });
      onSession(await http.login({ username, password, ...device }));
    });

  const onCode = (form: FormData) =>
    attempt(async () => {
      const email = String(form.get('email') ?? '').trim();
      if (!codeSent) {
        await http.requestCode(email);
        setCodeSent(true);
        setInfo(`We sent a 6-digit code to ${email}.`);
        return;
      }
      onSession(await http.loginWithCode({ email, code: String(form.get('code') ?? '').trim(), ...device }));
    });

  const submit = (handler: (f: FormData) => Promise<void>) => (e: Event) => {
    e.preventDefault();
    void handler(new FormData(e.currentTarget as HTMLFormElement));
  };

  const tab = (m: Mode, label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={mode === m}
      class={`tab${mode === m ? ' active' : ''}`}
      onClick={() => {
        setMode(m);
        setError(undefined);
        setInfo(undefined);
        setCodeSent(false);
      }}
    >
      {label}
    </button>
  );

  return (
    <main class="auth">
      <div class="auth-card">
        <div class="brand">
          <span class="brand-mark">
            <Icon name="chat" size={26} />
          </span>
          <h1>Messages</h1>
          <p class="muted">Chat with friends and groups, on every device.</p>
        </div>
        <div class="tabs" role="tablist" aria-label="How to sign in">
          {tab('login', 'Sign in')}
          {tab('signup', 'Sign up')}
          {tab('code', 'Email code')}
        </div>
        {info && (
          <p class="form-info" role="status">
            {info}
          </p>
        )}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {mode === 'login' && (
          <form class="form" onSubmit={submit(onLogin)}>
            <label>
              Username, email or phone
              <input name="account" required autocomplete="username" autofocus maxLength={254} />
            </label>
            <label>
              Password
              <input name="password" type="password" required autocomplete="current-password" minLength={8} maxLength={128} />
            </label>
            <button class="btn primary block" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </form>
        )}
        {mode === 'signup' && (
          <form class="form" onSubmit={submit(onSignup)}>
            <label>
              Username
              <input name="username" required autocomplete="username" autofocus minLength={3} maxLength={32} pattern="[A-Za-z0-9_.\-]+" title="3–32 letters, digits, _ . -" />
            </label>
            <label>
              Display name <span class="muted">(optional)</span>
              <input name="nickname" autocomplete="nickname" maxLength={64} />
            </label>
            <label>
              Email <span class="muted">(optional)</span>
              <input name="email" type="email" autocomplete="email" maxLength={254} />
            </label>
            <label>
              Password
              <input name="password" type="password" required autocomplete="new-password" minLength={8} maxLength={128} />
            </label>
            <button class="btn primary block" disabled={busy}>
              {busy ? 'Creating account…' : 'Create account'}
            </button>
          </form>
        )}
        {mode === 'code' && (
          <form class="form" onSubmit={submit(onCode)}>
            <label>
              Email
              <input name="email" type="email" required autocomplete="email" autofocus readOnly={codeSent} maxLength={254} />
            </label>
            {codeSent && (
              <label>
                Code
                <input name="code" required inputMode="numeric" autocomplete="one-time-code" pattern="\d{6}" maxLength={6} title="the 6 digits from the email" autofocus />
              </label>
            )}
            <button class="btn primary block" disabled={busy}>
              {codeSent ? (busy ? 'Signing in…' : 'Sign in') : busy ? 'Sending…' : 'Send code'}
            </button>
            {codeSent && (
              <button type="button" class="btn ghost block" onClick={() => setCodeSent(false)}>
                Use another email
              </button>
            )}
          </form>
        )}
      </div>
    </main>
  );
}
