// The deploy order the workflows run: a wave starts when the previous one is done, and the services of a
// wave start in parallel across hosts.
import type { StackSpec } from './types.js';

/** Level k holds the services whose dependencies all sit in levels below k; spec order within a level. */
export function dependencyWaves(spec: StackSpec): string[][] {
  const byName = new Map(spec.services.map((service) => [service.name, service]));
  const levels = new Map<string, number>();
  const visiting = new Set<string>();

  const levelOf = (name: string): number => {
    const known = levels.get(name);
    if (known !== undefined) return known;
    const service = byName.get(name);
    if (service === undefined) throw new Error(`depends_on names unknown service "${name}"`);
    if (visiting.has(name)) throw new Error(`dependency cycle through service "${name}"`);
    visiting.add(name);
    const level = Math.max(-1, ...service.dependsOn.map((dep) => levelOf(dep.service))) + 1;
    visiting.delete(name);
    levels.set(name, level);
    return level;
  };

  const waves: string[][] = [];
  for (const service of spec.services) {
    const level = levelOf(service.name);
    while (waves.length <= level) waves.push([]);
    waves[level]!.push(service.name);
  }
  return waves;
}
