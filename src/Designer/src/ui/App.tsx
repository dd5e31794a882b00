import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, onUnauthorized, type Me } from '../api';
import { clearToken, getToken } from '../auth';
import { ComparePage } from './ComparePage';
import { EditorPage } from './EditorPage';
import { RunPage } from './RunPage';
import { href, useRoute } from './router';
import { SessionContext, type Session } from './session';
import { SignIn } from './SignIn';
import { StartRunPage } from './StartRunPage';
import { WorkflowList } from './WorkflowList';

export function App() {
  const [token, setTokenState] = useState(getToken());
  const [me, setMe] = useState<Me | null>(null);
  const [denied, setDenied] = useState({ edit: false, operate: false });
  const route = useRoute();

  useEffect(() => { onUnauthorized.handler = () => setTokenState(null); }, []);
  useEffect(() => {
    if (!token) return;
    api.me().then(setMe, () => setMe(null));
  }, [token]);

  const signOut = useCallback(() => { clearToken(); setTokenState(null); setMe(null); setDenied({ edit: false, operate: false }); }, []);
  const session = useMemo<Session>(() => ({
    me,
    canEdit: !denied.edit && (!me || me.role === 'admin'),
    canOperate: !denied.operate && (!me || me.role !== 'viewer'),
    forbidden: kind => setDenied(d => ({ ...d, [kind]: true, ...(kind === 'operate' ? { edit: true } : {}) })),
    signOut,
  }), [me, denied, signOut]);

  if (!token) return <SignIn onSignedIn={() => setTokenState(getToken())} />;

  return (
    <SessionContext.Provider value={session}>
      <header className="topbar">
        <a className="brand" href={href.list()}>Gantry</a>
        <nav aria-label="Main"><a href={href.list()}>Workflows</a></nav>
        <span className="spacer" />
        {me && <span className="who">{me.name} · {me.role}</span>}
        {!session.canEdit && <span className="badge readonly" title="Your token cannot change definitions">read-only</span>}
        <button type="button" onClick={signOut}>Sign out</button>
      </header>
      <main className={`page page-${route.page}`}>
        {route.page === 'list' && <WorkflowList />}
        {route.page === 'editor' && <EditorPage key={`${route.id}@${route.version ?? ''}`} id={route.id} version={route.version} />}
        {route.page === 'compare' && <ComparePage id={route.id} from={route.from} to={route.to} />}
        {route.page === 'start' && <StartRunPage id={route.id} />}
        {route.page === 'run' && <RunPage key={route.id} id={route.id} />}
      </main>
    </SessionContext.Provider>
  );
}
