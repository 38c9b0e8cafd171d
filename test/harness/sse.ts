// A minimal Server-Sent Events reader for tests: enough of the format (event, data, comment lines)
// to check what GET /deployments/:id/events sends, without a client library.

export type SseItem = { event: string; data: string } | { comment: string };

/** Yields each event and comment of a `text/event-stream` body until it ends or the caller stops. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseItem> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        yield* parseBlock(block);
      }
    }
  } finally {
    // Leaving the loop early cancels the stream: the server sees the client go away.
    await reader.cancel().catch(() => {});
  }
}

function* parseBlock(block: string): Generator<SseItem> {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) yield { comment: line.slice(1).trim() };
    else if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length > 0) yield { event, data: data.join('\n') };
}

/** Reads events (comments skipped) until `stop` returns true for one, or the stream ends. */
export async function collectSse(
  body: ReadableStream<Uint8Array>,
  stop: (item: { event: string; data: string }) => boolean = (item) => item.event === 'end',
): Promise<{ event: string; data: string }[]> {
  const events: { event: string; data: string }[] = [];
  for await (const item of readSse(body)) {
    if ('comment' in item) continue;
    events.push(item);
    if (stop(item)) break;
  }
  return events;
}
