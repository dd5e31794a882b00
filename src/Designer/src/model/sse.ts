// Server-sent events over fetch (EventSource cannot send the Authorization header).

export interface SseMessage { id?: string; event?: string; data: string }

/** An incremental parser: push text chunks as they arrive, messages come out whole. */
export function createSseParser(onMessage: (m: SseMessage) => void): (chunk: string) => void {
  let buffer = '';
  let current: { id?: string; event?: string; data: string[] } = { data: [] };
  return chunk => {
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (current.data.length) onMessage({ id: current.id, event: current.event, data: current.data.join('\n') });
        current = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') current.data.push(value);
      else if (field === 'id') current.id = value;
      else if (field === 'event') current.event = value;
    }
  };
}

/** Reads a byte stream to its end, handing each message over. */
export async function readSse(stream: ReadableStream<Uint8Array>, onMessage: (m: SseMessage) => void): Promise<void> {
  const push = createSseParser(onMessage);
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    push(decoder.decode(value, { stream: true }));
  }
  push(decoder.decode() + '\n\n');
}
