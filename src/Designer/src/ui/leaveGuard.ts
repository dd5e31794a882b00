// Unsaved work: while a page holds some, every way of leaving it asks first — reload or close
// (beforeunload), a link in the page, and history navigation (Back/Forward, an edited address),
// which only shows up as a hashchange after the address already changed.
import { useEffect } from 'react';

let question: string | null = null;
// A hash the user already agreed to leave for (a link or the version picker asked before navigating).
let agreedHash: string | null = null;

/** Asks before going to <paramref name="hash"/> while there is unsaved work: true when the page may go. */
export function mayLeaveFor(hash: string): boolean {
  if (question === null || hash === location.hash) return true;
  if (!confirm(question)) return false;
  agreedHash = hash;
  return true;
}

/**
 * For the router's hashchange: true when the new address may be shown. When the user refuses, the
 * previous address is put back (a new history entry, so the page and its unsaved work stay).
 */
export function mayShowRouteChange(e: HashChangeEvent): boolean {
  const agreed = agreedHash === location.hash;
  agreedHash = null;
  if (question === null || agreed || confirm(question)) return true;
  history.pushState(null, '', e.oldURL);
  return false;
}

/** While <paramref name="dirty"/>, leaving the page in any way asks <paramref name="text"/> first. */
export function useLeaveWarning(dirty: boolean, text: string) {
  useEffect(() => {
    if (!dirty) return;
    question = text;
    const beforeUnload = (e: BeforeUnloadEvent) => { e.preventDefault(); e.returnValue = ''; };
    const click = (e: MouseEvent) => {
      const link = e.target instanceof Element ? e.target.closest('a[href^="#"]') : null;
      if (link && !mayLeaveFor(link.getAttribute('href') ?? '')) { e.preventDefault(); e.stopPropagation(); }
    };
    addEventListener('beforeunload', beforeUnload);
    document.addEventListener('click', click, true);
    return () => {
      question = null;
      removeEventListener('beforeunload', beforeUnload);
      document.removeEventListener('click', click, true);
    };
  }, [dirty, text]);
}
