// Where the graph's camera goes: a fit that never shrinks steps below a readable size (a long
// workflow scrolls instead), and a follow that moves only when the followed step is out of view.
import type { Box } from './layout';

export interface Viewport { x: number; y: number; zoom: number }
export interface Size { width: number; height: number }

/** Below this zoom step labels are unreadable; the fit stops here and the graph scrolls. */
export const readableZoom = 0.8;
const padding = 24;

/** The bounds of the top-level boxes (children are inside their parents). */
export function boundsOf(boxes: Iterable<Box>): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width); y1 = Math.max(y1, b.y + b.height);
  }
  return x0 === Infinity ? { x: 0, y: 0, width: 0, height: 0 } : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Fits the bounds into the view at zoom 1 at most; when that would go below readableZoom, shows the top at readableZoom. */
export function readableFit(bounds: Box, view: Size): Viewport {
  const fit = Math.min((view.width - 2 * padding) / Math.max(bounds.width, 1), (view.height - 2 * padding) / Math.max(bounds.height, 1));
  const zoom = Math.max(Math.min(fit, 1), Math.min(readableZoom, 1));
  const width = bounds.width * zoom;
  const height = bounds.height * zoom;
  const x = width <= view.width ? (view.width - width) / 2 - bounds.x * zoom : padding - bounds.x * zoom;
  const y = height <= view.height ? (view.height - height) / 2 - bounds.y * zoom : padding - bounds.y * zoom;
  return { x, y, zoom };
}

/** The viewport that brings the box into view with the least movement, or undefined when it is in view already. */
export function follow(box: Box, current: Viewport, view: Size): Viewport | undefined {
  const { zoom } = current;
  const left = box.x * zoom + current.x;
  const top = box.y * zoom + current.y;
  const right = left + box.width * zoom;
  const bottom = top + box.height * zoom;
  let dx = 0;
  let dy = 0;
  if (top < padding) dy = padding - top;
  else if (bottom > view.height - padding) dy = Math.max(view.height / 3 - top, padding - top);
  if (left < padding) dx = padding - left;
  else if (right > view.width - padding) dx = view.width - padding - right;
  return dx || dy ? { x: current.x + dx, y: current.y + dy, zoom } : undefined;
}

/** The box in graph coordinates: layout boxes are relative to their parent block. */
export function absoluteBox(boxes: Map<string, Box>, parentOf: (id: string) => string | undefined, id: string): Box | undefined {
  const box = boxes.get(id);
  if (!box) return undefined;
  let { x, y } = box;
  for (let p = parentOf(id); p !== undefined; p = parentOf(p)) {
    const parent = boxes.get(p);
    if (parent) { x += parent.x; y += parent.y; }
  }
  return { x, y, width: box.width, height: box.height };
}
