// The bearer token lives in sessionStorage: it is gone when the tab closes.
const key = 'gantry.token';

export function getToken(): string | null {
  try { return sessionStorage.getItem(key); } catch { return null; }
}

export function setToken(token: string): void { sessionStorage.setItem(key, token.trim()); }

export function clearToken(): void {
  try { sessionStorage.removeItem(key); } catch { /* storage unavailable */ }
}
