import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { clearToken, setToken } from '../auth';
import { messageOf } from './common';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setToken(value);
    try {
      await api.definitions();
      onSignedIn();
    } catch (err) {
      clearToken();
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Gantry</h1>
        <p>Paste an API token: on a new server the first admin token is in <code>.gantry/first-admin.token</code>; make more with <code>gantry tokens create --name NAME --role viewer|operator|approver|admin</code>. It is kept in this tab only.</p>
        <label htmlFor="token">Token</label>
        <input id="token" type="password" autoComplete="off" autoFocus value={value} onChange={e => setValue(e.target.value)} required />
        {error && <div className="error-box" role="alert">{error}</div>}
        <button type="submit" className="primary" disabled={busy || !value.trim()}>{busy ? 'Checking…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
