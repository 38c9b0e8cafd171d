// Compose text → validated StackSpec. Every problem found is reported at once, each naming its key path.
import { LineCounter, parseDocument } from 'yaml';
import { composeNamePattern, stackNamePattern } from '../stack/names.js';
import type { NetworkSpec, ServiceNetworkSpec, ServiceSpec, StackSpec, VolumeSpec } from '../stack/types.js';
import { ComposeError, type ComposeIssue } from './compose-errors.js';
import { composeIssues } from './compose-issues.js';
import { type ComposeDocument, type ComposeService, composeSchema } from './compose-schema.js';
import { orderByDependencies } from './dependency-order.js';
import { jsonSyntaxMessage } from './json-syntax.js';

const DEFAULT_NETWORK = 'default';
/** Bounds alias expansion, so a "billion laughs" document cannot exhaust the worker's memory. */
const MAX_ALIAS_COUNT = 1000;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeDocument(value: unknown): string {
  if (value === null || value === undefined) return 'an empty document';
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}

function assertMapping(document: unknown): asserts document is Record<string, unknown> {
  if (!isMapping(document)) {
    throw new ComposeError([
      {
        path: '',
        message: `a Compose document must be a mapping with "services", got ${describeDocument(document)}`,
      },
    ]);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ComposeError([{ path: '', message: `JSON syntax error: ${jsonSyntaxMessage(text, error)}` }]);
  }
}

function parseYaml(text: string): unknown {
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *defaults`) are common in Compose files, though YAML 1.2 dropped them.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ComposeError(
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: '', message: `YAML syntax error at line ${line}, column ${col}: ${error.message}` };
      }),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ComposeError([{ path: '', message: `YAML error: ${(error as Error).message}` }]);
  }
}

/** Parses the text only; `normalizeCompose` validates. Throws ComposeError for syntax errors. */
export function parseComposeText(text: string, format: 'yaml' | 'json'): unknown {
  const document = format === 'json' ? parseJson(text) : parseYaml(text);
  assertMapping(document);
  return document;
}

/** Compose ignores top-level `x-*` keys by definition; they exist to hold YAML anchors. */
function withoutExtensions(document: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(document).filter(([key]) => !key.startsWith('x-')));
}

/** Checked on the raw document, so a bad name is reported together with any schema problem. */
function checkNames(document: Record<string, unknown>): ComposeIssue[] {
  const issues: ComposeIssue[] = [];
  if (typeof document.name === 'string' && !stackNamePattern.test(document.name)) {
    issues.push({
      path: 'name',
      message: `"${document.name}" is not a valid stack name: lower-case letters, digits, "_" and "-", at most 63`,
    });
  }
  for (const section of ['services', 'networks', 'volumes'] as const) {
    const entries = document[section];
    for (const name of isMapping(entries) ? Object.keys(entries) : []) {
      if (!composeNamePattern.test(name)) {
        issues.push({
          path: `${section}.${name}`,
          message: `"${name}" is not a valid name: use letters, digits, "_", "." and "-", starting with a letter or digit`,
        });
      }
    }
  }
  return issues;
}

function serviceNetworks(name: string, service: ComposeService): ServiceNetworkSpec[] {
  const named = service.networks ?? [];
  const networks = named.length > 0 ? named : [{ name: DEFAULT_NETWORK, aliases: [] }];
  // Compose makes every service reachable by its own name on each of its networks.
  return networks.map((network) => ({
    name: network.name,
    aliases: [...new Set([name, ...network.aliases])],
  }));
}

function checkReferences(doc: ComposeDocument, issues: ComposeIssue[]): void {
  const networks = new Set([DEFAULT_NETWORK, ...Object.keys(doc.networks ?? {})]);
  const volumes = new Set(Object.keys(doc.volumes ?? {}));
  for (const [name, service] of Object.entries(doc.services)) {
    for (const network of service.networks ?? []) {
      if (!networks.has(network.name)) {
        issues.push({
          path: `services.${name}.networks`,
          message: `network "${network.name}" is not declared in the top-level networks`,
        });
      }
    }
    (service.volumes ?? []).forEach((mount, index) => {
      if (mount.type === 'volume' && !volumes.has(mount.source)) {
        issues.push({
          path: `services.${name}.volumes[${index}]`,
          message: `volume "${mount.source}" is not declared in the top-level volumes`,
        });
      }
    });
    for (const dep of service.depends_on ?? []) {
      if (dep.service === name) {
        issues.push({ path: `services.${name}.depends_on`, message: `service "${name}" depends on itself` });
      } else if (!Object.hasOwn(doc.services, dep.service)) {
        issues.push({ path: `services.${name}.depends_on`, message: `unknown service "${dep.service}"` });
      }
    }
  }
}

function toServiceSpec(name: string, service: ComposeService): ServiceSpec {
  const spec: ServiceSpec = {
    name,
    image: service.image,
    environment: service.environment ?? {},
    ports: service.ports ?? [],
    mounts: service.volumes ?? [],
    labels: service.labels ?? {},
    restart: service.restart ?? { policy: 'no' },
    dependsOn: service.depends_on ?? [],
    replicas: service.deploy?.replicas ?? 1,
    constraints: service.deploy?.placement?.constraints ?? [],
    networks: serviceNetworks(name, service),
  };
  if (service.command !== undefined) spec.command = service.command;
  if (service.entrypoint !== undefined) spec.entrypoint = service.entrypoint;
  if (service.healthcheck !== undefined) spec.healthcheck = service.healthcheck;
  if (service.stop_grace_period !== undefined) spec.stopGracePeriodMs = service.stop_grace_period;
  if (service.stop_signal !== undefined) spec.stopSignal = service.stop_signal;
  return spec;
}

function toResources(map: ComposeDocument['networks']): (NetworkSpec & VolumeSpec)[] {
  return Object.entries(map ?? {}).map(([name, { driver, external, name: dockerName }]) => {
    const spec: NetworkSpec & VolumeSpec = { name, external };
    if (driver !== undefined) spec.driver = driver;
    // An external resource is found by its Compose `name`, or by its key when it has none.
    if (external) spec.externalName = dockerName ?? name;
    return spec;
  });
}

/** Validates a parsed Compose document and turns it into the StackSpec every workflow consumes. */
export function normalizeCompose(document: unknown): StackSpec {
  assertMapping(document);
  const issues = checkNames(document);
  const parsed = composeSchema.safeParse(withoutExtensions(document), { reportInput: true });
  if (!parsed.success) throw new ComposeError([...issues, ...composeIssues(parsed.error)]);
  const doc = parsed.data;
  checkReferences(doc, issues);
  const names = Object.keys(doc.services);
  const dependencies = (name: string) =>
    (doc.services[name]?.depends_on ?? [])
      .map((dep) => dep.service)
      .filter((dep) => dep !== name && Object.hasOwn(doc.services, dep));
  const { order, cycles } = orderByDependencies(names, dependencies);
  for (const cycle of cycles) {
    issues.push({
      path: `services.${cycle[0]}.depends_on`,
      message: `dependency cycle: ${cycle.join(' -> ')}`,
    });
  }
  if (issues.length > 0) throw new ComposeError(issues);

  const services = order.map((name) => toServiceSpec(name, doc.services[name]!));
  const networks: NetworkSpec[] = toResources(doc.networks);
  const usesDefault = services.some((service) => service.networks.some((n) => n.name === DEFAULT_NETWORK));
  if (usesDefault && !networks.some((network) => network.name === DEFAULT_NETWORK)) {
    networks.push({ name: DEFAULT_NETWORK, external: false });
  }
  const spec: StackSpec = { services, networks, volumes: toResources(doc.volumes) };
  if (doc.name !== undefined) spec.name = doc.name;
  return spec;
}

/** Text straight to a StackSpec: what the API does with an uploaded file. */
export function parseStackDefinition(text: string, format: 'yaml' | 'json'): StackSpec {
  return normalizeCompose(parseComposeText(text, format));
}
