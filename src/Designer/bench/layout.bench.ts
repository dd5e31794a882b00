// npm run bench:layout: how long parsing, graph building and dagre layout take for 200 steps.
import { bench, describe } from 'vitest';
import { buildGraph } from '../src/model/graph';
import { layoutGraph } from '../src/model/layout';
import { parseWorkflow } from '../src/model/workflow';
import { generateWorkflow } from './generate';

const text = generateWorkflow(200);
const graph = buildGraph(parseWorkflow(text).model!);

describe(`200-step workflow (${graph.nodes.length} nodes, ${graph.edges.length} edges)`, () => {
  bench('layout only (chains stacked, dagre for branching levels)', () => { layoutGraph(graph.nodes, graph.edges); });
  bench('parse + graph + layout', () => {
    const g = buildGraph(parseWorkflow(text).model!);
    layoutGraph(g.nodes, g.edges);
  });
});
