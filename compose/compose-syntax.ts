// Parsers for the one-line Compose syntaxes (ports, volumes, restart, placement constraints, healthcheck
// tests). Each returns a value or a message; the schema attaches the message to the key it came from.
import { composeNamePattern } from '../stack/names.js';
import type { MountSpec, PlacementConstraint, PortSpec, RestartSpec } from '../stack/types.js';

export type Parsed<T> = { value: T } | { error: string };

export function parsePortNumber(text: string, what: string): Parsed<number> {
  if (/^\d+-\d+$/.test(text)) return { error: `port ranges are not supported (${what} "${text}")` };
  if (!/^\d+$/.test(text)) return { error: `${what} "${text}" is not a port number` };
  return checkPortRange(Number(text), what);
}

export function checkPortRange(port: number, what: string): Parsed<number> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { error: `${what} ${port} is out of range (1-65535)` };
  }
  return { value: port };
}

/** `80`, `8080:80`, `127.0.0.1:8080:80`, `127.0.0.1::80`, `[::1]:8080:80`, each with an optional `/udp`. */
export function parsePortShort(text: string): Parsed<PortSpec> {
  let rest = text.trim();
  let protocol: PortSpec['protocol'] = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const proto = rest.slice(slash + 1);
    if (proto !== 'tcp' && proto !== 'udp') return { error: `unsupported protocol "${proto}" (tcp or udp)` };
    protocol = proto;
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']:');
    if (close < 0) return { error: `"${text}" is not a valid port mapping` };
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  if (hostIp === undefined && parts.length === 3) hostIp = parts.shift();
  if (parts.length > 2 || (hostIp !== undefined && parts.length !== 2) || hostIp === '') {
    return { error: `"${text}" is not a valid port mapping` };
  }
  const target = parsePortNumber(parts[parts.length - 1]!, 'container port');
  if ('error' in target) return target;
  const port: PortSpec = { target: target.value, protocol };
  const publishedText = parts.length === 2 ? parts[0]! : '';
  if (publishedText !== '') {
    const published = parsePortNumber(publishedText, 'published port');
    if ('error' in published) return published;
    port.published = published.value;
  }
  if (hostIp !== undefined) port.hostIp = hostIp;
  return { value: port };
}

/** `name:/path`, `/host/path:/path`, each with an optional `:ro` or `:rw`. */
export function parseVolumeShort(text: string): Parsed<MountSpec> {
  const parts = text.split(':');
  if (parts.length === 1) {
    return { error: `anonymous volume "${text}" is not supported; name it, as in "data:${text}"` };
  }
  if (parts.length > 3) return { error: `"${text}" is not a valid volume; expected source:target[:ro|rw]` };
  const [source, target, mode] = parts as [string, string, string | undefined];
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw') {
    return { error: `unsupported volume option "${mode}" in "${text}" (ro or rw)` };
  }
  const type = source.startsWith('/') || source.startsWith('.') || source.startsWith('~') ? 'bind' : 'volume';
  return checkMount({ type, source, target, readOnly: mode === 'ro' });
}

export function checkMount(mount: MountSpec): Parsed<MountSpec> {
  if (!mount.target.startsWith('/')) return { error: `target "${mount.target}" must be an absolute path` };
  if (mount.type === 'bind' && !mount.source.startsWith('/')) {
    return { error: `bind source "${mount.source}" must be an absolute host path` };
  }
  if (mount.type === 'volume' && !composeNamePattern.test(mount.source)) {
    return { error: `"${mount.source}" is not a valid volume name` };
  }
  return { value: mount };
}

export function parseRestart(text: string): Parsed<RestartSpec> {
  const match = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(text.trim());
  if (!match || (match[2] !== undefined && match[1] !== 'on-failure')) {
    return { error: `"${text}" is not a restart policy (no, always, on-failure[:N], unless-stopped)` };
  }
  const restart: RestartSpec = { policy: match[1] as RestartSpec['policy'] };
  if (match[2] !== undefined) restart.maxRetries = Number(match[2]);
  return { value: restart };
}

const CONSTRAINT = /^(node\.id|node\.hostname|node\.labels\.([^\s=!]+))\s*(==|!=)\s*(.+)$/;

/** The Swarm constraints Graphium can evaluate against its host registry. */
export function parseConstraint(text: string): Parsed<PlacementConstraint> {
  const expression = text.trim();
  const match = CONSTRAINT.exec(expression);
  const value = match?.[4]?.trim() ?? '';
  if (!match || value === '' || value.includes('==') || value.includes('!=')) {
    return {
      error: `unsupported constraint "${expression}"; use node.hostname, node.id or node.labels.<key> with == or !=`,
    };
  }
  const label = match[2];
  const field = label === undefined ? (match[1] as 'node.id' | 'node.hostname') : 'node.labels';
  const constraint: PlacementConstraint = { expression, field, operator: match[3] as '==' | '!=', value };
  if (label !== undefined) constraint.label = label;
  return { value: constraint };
}

/** Compose's `test`: a string runs in a shell; a list starts with CMD, CMD-SHELL or NONE, as Docker wants. */
export function parseHealthTest(test: string | string[]): Parsed<string[]> {
  if (typeof test === 'string') {
    return test.trim() === '' ? { error: 'empty healthcheck command' } : { value: ['CMD-SHELL', test] };
  }
  const [kind, ...args] = test;
  if (kind === 'NONE' && args.length === 0) return { value: test };
  if (kind === 'CMD' && args.length > 0) return { value: test };
  if (kind === 'CMD-SHELL' && args.length === 1) return { value: test };
  return {
    error: `expected ["CMD", arg...], ["CMD-SHELL", command] or ["NONE"], got ${JSON.stringify(test)}`,
  };
}
