// One wording for a JSON syntax error, wherever JSON is parsed (the API's body check, Compose as JSON).

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

/** JSON.parse's message, with the line and column when it gives only an offset (Node before 22). */
export function jsonSyntaxMessage(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  if (!position || /line \d+/.test(message)) return message;
  return `${message} (${lineColumn(text, Number(position[1]))})`;
}
