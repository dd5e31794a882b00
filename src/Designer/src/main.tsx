import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { App } from './ui/App';

async function start() {
  // ?mock serves a canned API from the browser (screenshots, trying the UI without a server).
  if (new URLSearchParams(location.search).has('mock')) await (await import('./mock/install')).installMockApi();
  createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
}

void start();
