// A container replaced by a deployment is renamed, not removed, until the deployment succeeds:
// `<name>.retired-<deployment prefix>` (it was running) or `…-stopped` (it was not). The name
// alone tells rollback what to restore and in which state, even if no record survived a crash.

const MARK = '.retired-';

export function retiredName(name: string, deploymentId: string, wasRunning: boolean): string {
  return `${name}${MARK}${deploymentId.slice(0, 8)}${wasRunning ? '' : '-stopped'}`;
}

export function parseRetiredName(
  retired: string,
  deploymentId?: string,
): { name: string; wasRunning: boolean } | undefined {
  const at = retired.lastIndexOf(MARK);
  if (at < 0) return undefined;
  const suffix = retired.slice(at + MARK.length);
  const [prefix, stopped] = suffix.split('-');
  if (deploymentId && prefix !== deploymentId.slice(0, 8)) return undefined;
  return { name: retired.slice(0, at), wasRunning: stopped !== 'stopped' };
}

export function isRetiredName(name: string): boolean {
  return name.includes(MARK);
}
