import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { api, onUnauthorized, type Me } from '../api';
import { clearToken, getToken } from '../auth';
import { Loading } from './common';
import { EditorPage } from './EditorPage';
import { href, useRoute } from './router';
import { SessionContext, type Session } from './session';
import { SignIn } from './SignIn';
import { WorkflowList } from './WorkflowList';

// The list and the editor come with the first load; the other pages when first opened.
const ComparePage = lazy(() => import('./ComparePage').then(m => ({ default: m.ComparePage })));
const RunPage = lazy(() => import('./RunPage').then(m => ({ default: m.RunPage })));
const StartRunPage = lazy(() => import('./StartRunPage').then(m => ({ default: m.StartRunPage })));

export function App() {
  const [token, setTokenState] = useState(getToken());
  // undefined while /api/me is asked; null when the server has no such route (then a 403 makes the UI read-only).
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [denied, setDenied] = useState({ edit: false, operate: false });
  const route = useRoute();

  useEffect(() => { onUnauthorized.handler = () => setTokenState(null); }, []);
  useEffect(() => {
    if (!token) return;
    setMe(undefined);
    api.me().then(setMe, () => setMe(null));
  }, [token]);

  const signOut = useCallback(() => { clearToken(); setTokenState(null); setMe(undefined); setDenied({ edit: false, operate: false }); }, []);
  const session = useMemo<Session>(() => ({
    me: me ?? null,
    canEdit: !denied.edit && (!me || me.role === 'admin'),
    canOperate: !denied.operate && (!me || me.role !== 'viewer'),
    forbidden: kind => setDenied(d => ({ ...d, [kind]: true, ...(kind === 'operate' ? { edit: true } : {}) })),
    signOut,
  }), [me, denied, signOut]);

  if (!token) return <SignIn onSignedIn={() => setTokenState(getToken())} />;
  // Nothing role-dependent renders before the role is known, so viewers never see edit controls.
  if (me === undefined) return <main className="page"><Loading what="your session" /></main>;

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
        <Suspense fallback={<Loading what="the page" />}>
          {route.page === 'list' && <WorkflowList />}
          {route.page === 'editor' && <EditorPage key={`${route.id}@${route.version ?? ''}${route.fresh ? '+new' : ''}`} id={route.id} version={route.version} fresh={route.fresh} />}
          {route.page === 'compare' && <ComparePage id={route.id} from={route.from} to={route.to} />}
          {route.page === 'start' && <StartRunPage id={route.id} />}
          {route.page === 'run' && <RunPage key={route.id} id={route.id} />}
        </Suspense>
      </main>
    </SessionContext.Provider>
  );
}
