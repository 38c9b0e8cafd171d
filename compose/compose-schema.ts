// The Compose subset Graphium deploys. Objects are strict so an unsupported key is an error that names it,
// never a setting silently dropped. One-line syntaxes are parsed here, so their errors point at their key.
import { z } from 'zod';
import { RESERVED_LABEL_PREFIX } from '../contracts/vocabulary.js';
import { parseDuration } from '../stack/duration.js';
import type { DependencySpec, HealthcheckSpec, PortSpec, ServiceNetworkSpec } from '../stack/types.js';
import {
  checkMount,
  checkPortRange,
  type Parsed,
  parseConstraint,
  parseHealthTest,
  parsePortNumber,
  parsePortShort,
  parseRestart,
  parseVolumeShort,
} from './compose-syntax.js';
import { splitShellWords } from './shell-words.js';

/** Adapts a `Parsed` parser to a zod transform that reports its message at the current key. */
function via<I, O>(parse: (input: I) => Parsed<O>) {
  return (input: I, ctx: z.RefinementCtx): O => {
    const result = parse(input);
    if ('value' in result) return result.value;
    ctx.addIssue({ code: 'custom', message: result.error });
    return z.NEVER;
  };
}

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Compose `environment`/`labels`: a map (null means empty) or a list of `KEY=VALUE`. */
const keyValues = z.union([
  z.record(z.string(), scalar).transform((map) => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(map)) out[key] = value === null ? '' : String(value);
    return out;
  }),
  z.array(z.string()).transform((list, ctx) => {
    const out: Record<string, string> = {};
    list.forEach((entry, index) => {
      const eq = entry.indexOf('=');
      const key = eq < 0 ? entry : entry.slice(0, eq);
      if (key.trim() === '')
        ctx.addIssue({ code: 'custom', message: `"${entry}" has no key`, path: [index] });
      out[key] = eq < 0 ? '' : entry.slice(eq + 1);
    });
    return out;
  }),
]);

const labels = keyValues.transform((map, ctx) => {
  for (const key of Object.keys(map)) {
    if (key.startsWith(RESERVED_LABEL_PREFIX)) {
      ctx.addIssue({
        code: 'custom',
        message: `labels under "${RESERVED_LABEL_PREFIX}" are reserved`,
        path: [key],
      });
    }
  }
  return map;
});

const duration = z.union([z.string(), z.number()]).transform(
  via((value: string | number): Parsed<number> => {
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    return ms === undefined ? { error: `${JSON.stringify(value)} is not a duration` } : { value: ms };
  }),
);

/** `command`/`entrypoint`: a string is split into exec form with shell-word rules, a list is exec form. */
const execForm = z.union([
  z.string().transform(
    via((text: string) => {
      const split = splitShellWords(text);
      return 'words' in split ? { value: split.words } : split;
    }),
  ),
  z.array(z.union([z.string(), z.number()]).transform(String)),
]);

const portLong = z
  .strictObject({
    target: z.number(),
    published: z.union([z.number(), z.string()]).optional(),
    protocol: z.enum(['tcp', 'udp']).optional(),
    host_ip: z.string().min(1).optional(),
  })
  .transform(
    via((long): Parsed<PortSpec> => {
      const target = checkPortRange(long.target, 'container port');
      if ('error' in target) return target;
      const port: PortSpec = { target: target.value, protocol: long.protocol ?? 'tcp' };
      if (long.published !== undefined) {
        const published =
          typeof long.published === 'number'
            ? checkPortRange(long.published, 'published port')
            : parsePortNumber(long.published, 'published port');
        if ('error' in published) return published;
        port.published = published.value;
      }
      if (long.host_ip !== undefined) port.hostIp = long.host_ip;
      return { value: port };
    }),
  );

const port = z.union([
  z.string().transform(via(parsePortShort)),
  z.number().transform(
    via((n: number): Parsed<PortSpec> => {
      const target = checkPortRange(n, 'container port');
      return 'error' in target ? target : { value: { target: target.value, protocol: 'tcp' } };
    }),
  ),
  portLong,
]);

const volumeLong = z
  .strictObject({
    type: z.enum(['volume', 'bind']),
    source: z.string().min(1).optional(),
    target: z.string(),
    read_only: z.boolean().optional(),
  })
  .transform(
    via((long) =>
      long.source === undefined
        ? { error: `anonymous volume "${long.target}" is not supported; give it a source` }
        : checkMount({
            type: long.type,
            source: long.source,
            target: long.target,
            readOnly: long.read_only ?? false,
          }),
    ),
  );

const healthcheck = z
  .strictObject({
    test: z.union([z.string(), z.array(z.string())]).optional(),
    interval: duration.optional(),
    timeout: duration.optional(),
    retries: z
      .number()
      .int({ error: 'must be a whole number' })
      .min(0, { error: 'must not be negative' })
      .optional(),
    start_period: duration.optional(),
    disable: z.boolean().optional(),
  })
  .transform((h, ctx): HealthcheckSpec => {
    if (h.disable) {
      if (h.test !== undefined && !(Array.isArray(h.test) && h.test[0] === 'NONE')) {
        ctx.addIssue({
          code: 'custom',
          message: 'disable: true and test cannot both be set',
          path: ['disable'],
        });
      }
      return { test: ['NONE'] };
    }
    // Without `test` the image's own HEALTHCHECK runs with these timings; Docker reads [] as "inherit".
    let test: string[] = [];
    if (h.test !== undefined) {
      const parsed = parseHealthTest(h.test);
      if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error, path: ['test'] });
      else test = parsed.value;
    }
    const spec: HealthcheckSpec = { test };
    if (h.interval !== undefined) spec.intervalMs = h.interval;
    if (h.timeout !== undefined) spec.timeoutMs = h.timeout;
    if (h.retries !== undefined) spec.retries = h.retries;
    if (h.start_period !== undefined) spec.startPeriodMs = h.start_period;
    return spec;
  });

const condition = z.enum(['service_started', 'service_healthy']);
const dependsOn = z.union([
  z
    .array(z.string())
    .transform((names): DependencySpec[] =>
      [...new Set(names)].map((service) => ({ service, condition: 'service_started' })),
    ),
  z
    .record(z.string(), z.strictObject({ condition: condition.optional() }))
    .transform((map): DependencySpec[] =>
      Object.entries(map).map(([service, dep]) => ({
        service,
        condition: dep.condition ?? 'service_started',
      })),
    ),
]);

const replicasError = { error: 'must be a whole number from 0 to 1000' };
const deploy = z.strictObject({
  replicas: z
    .number(replicasError)
    .int(replicasError)
    .min(0, replicasError)
    .max(1000, replicasError)
    .optional(),
  placement: z
    .strictObject({ constraints: z.array(z.string().transform(via(parseConstraint))).optional() })
    .optional(),
});

const serviceNetworks = z.union([
  z
    .array(z.string())
    .transform((names): ServiceNetworkSpec[] => [...new Set(names)].map((name) => ({ name, aliases: [] }))),
  z
    .record(z.string(), z.strictObject({ aliases: z.array(z.string()).optional() }).nullable())
    .transform((map): ServiceNetworkSpec[] =>
      Object.entries(map).map(([name, options]) => ({ name, aliases: options?.aliases ?? [] })),
    ),
]);

const serviceSchema = z.strictObject({
  image: z.string().trim().min(1, { error: 'must not be empty' }),
  command: execForm.optional(),
  entrypoint: execForm.optional(),
  environment: keyValues.optional(),
  ports: z.array(port).optional(),
  volumes: z.array(z.union([z.string().transform(via(parseVolumeShort)), volumeLong])).optional(),
  labels: labels.optional(),
  restart: z.string().transform(via(parseRestart)).optional(),
  healthcheck: healthcheck.optional(),
  stop_grace_period: duration.optional(),
  stop_signal: z
    .string()
    .regex(/^(SIG[A-Z0-9]+|\d+)$/, { error: 'expected a signal name such as SIGINT, or a number' })
    .optional(),
  depends_on: dependsOn.optional(),
  deploy: deploy.optional(),
  networks: serviceNetworks.optional(),
});

/** Top-level `networks.<name>` and `volumes.<name>`: created per stack, or `external` and only used. */
const resource = z
  .strictObject({
    driver: z.string().min(1).optional(),
    external: z.boolean().optional(),
    name: z.string().min(1).optional(),
  })
  .nullable()
  .transform((options, ctx) => {
    const { driver, external = false, name } = options ?? {};
    // A custom name on a created resource would let two stacks share (and delete) one network or volume.
    if (name !== undefined && !external) {
      ctx.addIssue({ code: 'custom', message: 'only an external resource may set name', path: ['name'] });
    }
    if (driver !== undefined && external) {
      ctx.addIssue({ code: 'custom', message: 'an external resource cannot set driver', path: ['driver'] });
    }
    return { driver, external, name };
  });

export const composeSchema = z.strictObject({
  // Obsolete in Compose and ignored there too.
  version: z.union([z.string(), z.number()]).optional(),
  name: z.string().optional(),
  services: z
    .record(z.string(), serviceSchema)
    .refine((services) => Object.keys(services).length > 0, { error: 'at least one service is required' }),
  networks: z.record(z.string(), resource).optional(),
  volumes: z.record(z.string(), resource).optional(),
});

export type ComposeDocument = z.output<typeof composeSchema>;
export type ComposeService = z.output<typeof serviceSchema>;
