// CodeMirror 6 with YAML highlighting; diagnostics (syntax and server validation) on their lines.
// Loaded on demand by YamlEditor.tsx: CodeMirror is a third of the designer's code and the graph does not need it.
import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import type { YamlEditorProps } from './YamlEditor';

export default function YamlCodeEditor({ text, onChange, problems, readOnly, highlightLine }: YamlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    view.current = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: text,
        extensions: [
          basicSetup, yaml(), lintGutter(), EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly),
          EditorView.contentAttributes.of({ 'aria-label': 'Workflow YAML' }),
          EditorView.updateListener.of(u => { if (u.docChanged) changed.current(u.state.doc.toString()); }),
        ],
      }),
    });
    return () => view.current?.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [readOnly]);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== text) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
  }, [text]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const doc = v.state.doc;
    const diagnostics: Diagnostic[] = problems.filter(p => p.line >= 1 && p.line <= doc.lines).map(p => {
      const line = doc.line(p.line);
      const from = Math.min(line.from + Math.max((p.column ?? 1) - 1, 0), line.to);
      return { from, to: line.to > from ? line.to : from, severity: 'error', message: p.message };
    });
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [problems, text]);

  useEffect(() => {
    const v = view.current;
    if (!v || !highlightLine || highlightLine > v.state.doc.lines) return;
    const line = v.state.doc.line(highlightLine);
    v.dispatch({ selection: { anchor: line.from }, effects: EditorView.scrollIntoView(line.from, { y: 'center' }) });
  }, [highlightLine]);

  return <div className="yaml" ref={host} />;
}
