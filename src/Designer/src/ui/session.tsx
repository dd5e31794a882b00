// Who is signed in and what they may do. Without GET /api/me, a 403 makes the UI read-only.
import { createContext, useContext } from 'react';
import type { Me } from '../api';

export interface Session {
  me: Me | null;
  canEdit: boolean;
  canOperate: boolean;
  /** Called on a 403: hides the controls of that kind from now on. */
  forbidden: (kind: 'edit' | 'operate') => void;
  signOut: () => void;
}

export const SessionContext = createContext<Session>({ me: null, canEdit: false, canOperate: false, forbidden: () => {}, signOut: () => {} });

export const useSession = () => useContext(SessionContext);
