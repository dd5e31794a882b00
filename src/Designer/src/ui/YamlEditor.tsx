// The YAML view of the editor. CodeMirror is a third of the designer's code and the graph, which the
// editor shows first, does not need it: its chunk is fetched once the browser is idle after the first
// paint, and until it runs the text is shown as it is, read-only.
import { lazy, Suspense, useEffect, useState } from 'react';

export interface LineProblem { line: number; column?: number; message: string }

export interface YamlEditorProps { text: string; onChange: (t: string) => void; problems: LineProblem[]; readOnly: boolean; highlightLine?: number }

const YamlCodeEditor = lazy(() => import('./YamlCodeEditor'));

export function YamlEditor(props: YamlEditorProps) {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    // At the latest after 300 ms, so a busy page still gets its editor.
    const handle = requestIdleCallback(() => setIdle(true), { timeout: 300 });
    return () => cancelIdleCallback(handle);
  }, []);
  const plain = <pre className="yaml yaml-loading" aria-busy="true">{props.text}</pre>;
  return idle ? <Suspense fallback={plain}><YamlCodeEditor {...props} /></Suspense> : plain;
}
