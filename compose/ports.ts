// `ports:` and `expose:` entries → PortSpecs and `port/proto` strings. Short syntax, long syntax and
// port ranges (`8000-8002:8000-8002`, expanded one port each, as Docker does).
import type { PortSpec } from '../stack/types.js';
import { checkPortRange, type Parsed } from './compose-syntax.js';
import { isMapping } from './yaml.js';

/** A published range may be larger than the target range of one port: Docker picks one of them. */
const MAX_RANGE = 1000;

function parseRange(text: string, what: string): Parsed<[number, number]> {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) return { error: `${what} "${text}" is not a port number or range` };
  const start = checkPortRange(Number(match[1]), what);
  if ('error' in start) return start;
  const end = checkPortRange(Number(match[2] ?? match[1]), what);
  if ('error' in end) return end;
  if (end.value < start.value || end.value - start.value >= MAX_RANGE)
    return { error: `${what} range "${text}" is not valid` };
  return { value: [start.value, end.value] };
}

function splitProtocol(text: string): Parsed<[string, PortSpec['protocol']]> {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return { value: [text, 'tcp'] };
  const protocol = text.slice(slash + 1);
  if (protocol !== 'tcp' && protocol !== 'udp')
    return { error: `unsupported protocol "${protocol}" (tcp or udp)` };
  return { value: [text.slice(0, slash), protocol] };
}

/** `80`, `8080:80`, `127.0.0.1:8080:80`, `[::1]:80:80`, `9000-9001:9000-9001/udp`. */
export function parsePortEntry(entry: unknown): Parsed<PortSpec[]> {
  if (typeof entry === 'number') {
    const target = checkPortRange(entry, 'container port');
    return 'error' in target ? target : { value: [{ target: target.value, protocol: 'tcp' }] };
  }
  if (isMapping(entry)) return parseLongPort(entry);
  const text = String(entry).trim();
  const split = splitProtocol(text);
  if ('error' in split) return split;
  let [rest] = split.value;
  const protocol = split.value[1];
  let hostIp: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']:');
    if (close < 0) return { error: `"${text}" is not a valid port mapping` };
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  if (hostIp === undefined && parts.length === 3) hostIp = parts.shift();
  if (parts.length > 2 || (hostIp !== undefined && parts.length !== 2))
    return { error: `"${text}" is not a valid port mapping` };
  const target = parseRange(parts.at(-1)!, 'container port');
  if ('error' in target) return target;
  const publishedText = parts.length === 2 ? parts[0]! : '';
  const published = publishedText === '' ? undefined : parseRange(publishedText, 'published port');
  if (published && 'error' in published) return published;
  const [from, to] = target.value;
  const specs: PortSpec[] = [];
  for (let port = from; port <= to; port++) {
    const spec: PortSpec = { target: port, protocol };
    if (published && 'value' in published) {
      const [pFrom, pTo] = published.value;
      // Equal-size ranges map one to one; a single published port for a range is refused by Docker too.
      if (pTo - pFrom !== to - from)
        return { error: `"${text}": the published and container ranges differ in size` };
      spec.published = pFrom + (port - from);
    }
    if (hostIp) spec.hostIp = hostIp;
    specs.push(spec);
  }
  return { value: specs };
}

function parseLongPort(entry: Record<string, unknown>): Parsed<PortSpec[]> {
  const target = parseRange(String(entry.target ?? ''), 'container port');
  if ('error' in target) return target;
  const protocol = entry.protocol === undefined ? 'tcp' : String(entry.protocol);
  if (protocol !== 'tcp' && protocol !== 'udp')
    return { error: `unsupported protocol "${protocol}" (tcp or udp)` };
  const spec: PortSpec = { target: target.value[0], protocol };
  if (entry.published !== undefined && entry.published !== '') {
    const published = parseRange(String(entry.published), 'published port');
    if ('error' in published) return published;
    spec.published = published.value[0];
  }
  if (typeof entry.host_ip === 'string' && entry.host_ip !== '') spec.hostIp = entry.host_ip;
  return { value: [spec] };
}

/** `expose` entries → `3000/tcp` strings. */
export function parseExpose(entry: unknown): Parsed<string[]> {
  const split = splitProtocol(String(entry).trim());
  if ('error' in split) return split;
  const range = parseRange(split.value[0], 'port');
  if ('error' in range) return range;
  const out: string[] = [];
  for (let port = range.value[0]; port <= range.value[1]; port++) out.push(`${port}/${split.value[1]}`);
  return { value: out };
}
