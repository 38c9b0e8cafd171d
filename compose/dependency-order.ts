// Orders services so each comes after what it depends on. Among services free to go in either order the
// document order wins, so a file that is already in dependency order keeps its order exactly.

export interface DependencyOrder {
  /** Every service that is not on or behind a cycle, in dependency order. */
  order: string[];
  /** Each cycle once, starting at its first service in document order and ending where it started. */
  cycles: string[][];
}

export function orderByDependencies(
  names: string[],
  dependenciesOf: (name: string) => string[],
): DependencyOrder {
  const placed = new Set<string>();
  const order: string[] = [];
  for (;;) {
    const next = names.find(
      (name) => !placed.has(name) && dependenciesOf(name).every((dep) => placed.has(dep)),
    );
    if (next === undefined) break;
    placed.add(next);
    order.push(next);
  }
  const remaining = names.filter((name) => !placed.has(name));
  return { order, cycles: findCycles(remaining, names, dependenciesOf) };
}

/** Every remaining service waits on another remaining one, so following those edges must loop. */
function findCycles(
  remaining: string[],
  names: string[],
  dependenciesOf: (name: string) => string[],
): string[][] {
  const left = new Set(remaining);
  const walked = new Set<string>();
  const cycles: string[][] = [];
  for (const start of remaining) {
    if (walked.has(start)) continue;
    const path: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && !walked.has(current)) {
      walked.add(current);
      path.push(current);
      current = dependenciesOf(current).find((dep) => left.has(dep));
    }
    const loopStart = current === undefined ? -1 : path.indexOf(current);
    if (loopStart < 0) continue;
    const loop = path.slice(loopStart);
    const first = loop.reduce((a, b) => (names.indexOf(b) < names.indexOf(a) ? b : a));
    const rotated = [...loop.slice(loop.indexOf(first)), ...loop.slice(0, loop.indexOf(first))];
    cycles.push([...rotated, first]);
  }
  return cycles;
}
