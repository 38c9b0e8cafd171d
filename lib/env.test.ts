import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  agentEnvSchema,
  apiEnvSchema,
  ConfigError,
  devEnvSchema,
  loadEnv,
  orchestratorEnvSchema,
  temporalTlsEnabled,
} from './env.js';
import { generateSigningKeyText, parseSigningKey, publicKeyText, type SigningKey } from './signing-keys.js';

const payloadKeys = `p1:${Buffer.alloc(32, 2).toString('base64')}`;
const apiKey = generateSigningKeyText('api1');
const orchestratorKey = generateSigningKeyText('orchestrator1');
const publicOf = (text: string) => publicKeyText(parseSigningKey(text) as SigningKey);
const keys = {
  GRAPHIUM_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  GRAPHIUM_PAYLOAD_KEYS: payloadKeys,
  GRAPHIUM_ORCHESTRATOR_SIGNING_KEY: orchestratorKey,
  GRAPHIUM_API_PUBLIC_KEYS: publicOf(apiKey),
};
const token = {
  GRAPHIUM_ADMIN_TOKEN: 'a-long-enough-admin-secret',
  GRAPHIUM_ENCRYPTION_KEYS: keys.GRAPHIUM_ENCRYPTION_KEYS,
  GRAPHIUM_PAYLOAD_KEYS: payloadKeys,
  GRAPHIUM_API_SIGNING_KEY: apiKey,
};
const agentKeys = {
  GRAPHIUM_PAYLOAD_KEYS: payloadKeys,
  GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS: publicOf(orchestratorKey),
};

describe('loadEnv', () => {
  it('applies the documented defaults', () => {
    const env = loadEnv(apiEnvSchema, token);
    assert.equal(env.PORT, 3000);
    assert.equal(env.TEMPORAL_ADDRESS, '127.0.0.1:7233');
    assert.equal(env.TEMPORAL_NAMESPACE, 'default');
    assert.equal(env.DATABASE_URL, undefined);
    assert.equal(env.GRAPHIUM_DATA_DIR, '.graphium');
    assert.equal(env.GRAPHIUM_AGENT_PICKUP_TIMEOUT, '60s');
  });

  it('parses the encryption keyring and never echoes a key', () => {
    const env = loadEnv(apiEnvSchema, token);
    assert.equal(env.GRAPHIUM_ENCRYPTION_KEYS.activeKeyId, 'k1');
    const bad = Buffer.alloc(16, 9).toString('base64');
    assert.throws(
      () => loadEnv(apiEnvSchema, { ...token, GRAPHIUM_ENCRYPTION_KEYS: `k1:${bad}` }),
      (error: ConfigError) => {
        assert.match(error.message, /GRAPHIUM_ENCRYPTION_KEYS: key "k1" must be 32 bytes.*\(given\)/);
        assert.ok(!error.message.includes(bad));
        return true;
      },
    );
  });

  it('reads the dashboard settings: the stream limit and the Temporal UI link', () => {
    const defaults = loadEnv(apiEnvSchema, token);
    assert.equal(defaults.GRAPHIUM_MAX_STREAMS_PER_TOKEN, 32);
    assert.equal(defaults.TEMPORAL_UI_URL, undefined);
    const set = loadEnv(apiEnvSchema, {
      ...token,
      GRAPHIUM_MAX_STREAMS_PER_TOKEN: '5',
      TEMPORAL_UI_URL: 'https://temporal.example.com/',
    });
    assert.equal(set.GRAPHIUM_MAX_STREAMS_PER_TOKEN, 5);
    assert.equal(set.TEMPORAL_UI_URL, 'https://temporal.example.com', 'no trailing slash');
    assert.throws(
      () =>
        loadEnv(apiEnvSchema, { ...token, GRAPHIUM_MAX_STREAMS_PER_TOKEN: '0', TEMPORAL_UI_URL: 'ftp://x' }),
      (error: ConfigError) => {
        assert.match(
          error.message,
          /GRAPHIUM_MAX_STREAMS_PER_TOKEN: expected a whole number between 1 and 10000/,
        );
        assert.match(error.message, /TEMPORAL_UI_URL: expected an http:\/\/ or https:\/\/ URL/);
        return true;
      },
    );
    // npm run dev links its own dev server's UI; the variable is only for an external Temporal.
    assert.throws(
      () => loadEnv(devEnvSchema, { TEMPORAL_UI_URL: 'http://127.0.0.1:8080' }),
      /TEMPORAL_UI_URL: only used with TEMPORAL_ADDRESS/,
    );
    assert.equal(
      loadEnv(devEnvSchema, { TEMPORAL_ADDRESS: '10.0.0.5:7233', TEMPORAL_UI_URL: 'http://10.0.0.5:8080' })
        .TEMPORAL_UI_URL,
      'http://10.0.0.5:8080',
    );
  });

  it('hands the pickup timeout on in the one form Temporal reads the same way', () => {
    const env = loadEnv(apiEnvSchema, { ...token, GRAPHIUM_AGENT_PICKUP_TIMEOUT: '1m30s' });
    assert.equal(env.GRAPHIUM_AGENT_PICKUP_TIMEOUT, '90s');
  });

  it('names every bad variable in one message, and never echoes a token', () => {
    assert.throws(
      () => loadEnv(apiEnvSchema, { PORT: 'abc', TEMPORAL_ADDRESS: 'nohost', GRAPHIUM_ADMIN_TOKEN: 'short' }),
      (error: ConfigError) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /PORT: expected a port number between 1 and 65535 \(got "abc"\)/);
        assert.match(error.message, /TEMPORAL_ADDRESS: expected host:port/);
        assert.match(error.message, /GRAPHIUM_ADMIN_TOKEN: must be at least 16 characters .*\(given\)/);
        assert.doesNotMatch(error.message, /short/);
        return true;
      },
    );
  });

  it('treats an empty variable as unset, so a required one is reported missing', () => {
    assert.throws(
      () => loadEnv(agentEnvSchema, { GRAPHIUM_HOST_ID: '' }),
      /GRAPHIUM_HOST_ID: required \(not set\)/,
    );
  });

  it("keeps the agent's data directory as an absolute path, /var/lib/graphium by default", () => {
    const agent = (extra: Record<string, string> = {}) =>
      loadEnv(agentEnvSchema, { GRAPHIUM_HOST_ID: 'vm1', ...agentKeys, ...extra }).GRAPHIUM_AGENT_DATA_DIR;
    assert.equal(agent(), '/var/lib/graphium');
    assert.equal(agent({ GRAPHIUM_AGENT_DATA_DIR: '/srv/graphium/' }), '/srv/graphium');
    // The daemon binds from it by path: a relative one is made absolute once, at start.
    assert.equal(agent({ GRAPHIUM_AGENT_DATA_DIR: 'state/agent' }), `${process.cwd()}/state/agent`);
  });

  it('checks host IDs, DOCKER_HOST and TLS pairs', () => {
    assert.equal(
      loadEnv(agentEnvSchema, { GRAPHIUM_HOST_ID: 'vm-1', ...agentKeys }).GRAPHIUM_AGENT_CONCURRENCY,
      16,
    );
    assert.throws(() => loadEnv(agentEnvSchema, { GRAPHIUM_HOST_ID: 'VM 1' }), /GRAPHIUM_HOST_ID/);
    assert.throws(
      () => loadEnv(agentEnvSchema, { GRAPHIUM_HOST_ID: 'vm1', ...agentKeys, DOCKER_HOST: 'http://x' }),
      /DOCKER_HOST: expected unix:/,
    );
    assert.throws(
      () => loadEnv(orchestratorEnvSchema, { ...keys, TEMPORAL_TLS_CERT: '/etc/hostname' }),
      /TEMPORAL_TLS_KEY: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together/,
    );
  });

  it('rejects a DATABASE_URL that is not PostgreSQL', () => {
    assert.throws(
      () => loadEnv(orchestratorEnvSchema, { ...keys, DATABASE_URL: 'mysql://x' }),
      /DATABASE_URL/,
    );
  });

  it('gives npm run dev its own Temporal ports and an optional admin token', () => {
    const env = loadEnv(devEnvSchema, {});
    assert.equal(env.PORT, 3000);
    assert.equal(env.TEMPORAL_PORT, 7233);
    assert.equal(env.TEMPORAL_UI_PORT, 8233);
    assert.equal(env.TEMPORAL_ADDRESS, undefined, 'unset: dev starts its own server');
    assert.equal(env.GRAPHIUM_ADMIN_TOKEN, undefined, 'unset: dev keeps a generated one');
    assert.equal(env.GRAPHIUM_DATA_DIR, '.graphium');
  });

  it('refuses dev ports that clash, and TLS settings for the plain local server', () => {
    assert.throws(
      () => loadEnv(devEnvSchema, { PORT: '8233' }),
      /TEMPORAL_UI_PORT: must differ from PORT \(both are 8233\) \(not set\)/,
    );
    assert.throws(
      () => loadEnv(devEnvSchema, { TEMPORAL_UI_PORT: '7233' }),
      /TEMPORAL_UI_PORT: must differ from TEMPORAL_PORT/,
    );
    assert.throws(
      () => loadEnv(devEnvSchema, { TEMPORAL_TLS_CA: '/etc/hostname' }),
      /TEMPORAL_TLS_CA: only used with TEMPORAL_ADDRESS/,
    );
    assert.equal(
      loadEnv(devEnvSchema, { TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_PORT: '3000' }).TEMPORAL_ADDRESS,
      'temporal:7233',
      'ports of a server dev does not start do not matter',
    );
    assert.throws(
      () => loadEnv(devEnvSchema, { TEMPORAL_CLI: '/nonexistent/temporal' }),
      /TEMPORAL_CLI: no executable/,
    );
  });

  it('never echoes a secret: tokens, passwords, keys, or the password in DATABASE_URL', () => {
    assert.throws(
      () =>
        loadEnv(orchestratorEnvSchema, {
          ...keys,
          DATABASE_URL: 'mysql://graphium:pa55:w@rd@db.example:5432/graphium',
          TEMPORAL_TLS_KEY: '/nonexistent/secret-key.pem',
          TEMPORAL_TLS_CERT: '/etc/hostname',
        }),
      (error: ConfigError) => {
        assert.match(
          error.message,
          /DATABASE_URL: expected a postgres:\/\/ .*\(got "mysql:\/\/graphium:\*\*\*@db\.example:5432\/graphium"\)/,
        );
        assert.match(error.message, /TEMPORAL_TLS_KEY: file does not exist \(given\)/);
        assert.doesNotMatch(error.message, /pa55|w@rd|secret-key/);
        return true;
      },
    );
    for (const name of ['SOME_TOKEN', 'DB_PASSWORD', 'CLIENT_SECRET', 'API_KEY']) {
      const schema = z.object({ [name]: z.string().min(99) });
      assert.throws(
        () => loadEnv(schema, { [name]: 'hunter2' }),
        (error: ConfigError) => {
          assert.match(error.message, new RegExp(`${name}: .*\\(given\\)`));
          assert.doesNotMatch(error.message, /hunter2/);
          return true;
        },
      );
    }
  });

  it('turns TLS on with TEMPORAL_TLS=true or any TEMPORAL_TLS_* setting, and refuses contradictions', () => {
    assert.equal(
      temporalTlsEnabled(loadEnv(agentEnvSchema, { GRAPHIUM_HOST_ID: 'vm1', ...agentKeys })),
      false,
    );
    assert.equal(
      temporalTlsEnabled(
        loadEnv(agentEnvSchema, { GRAPHIUM_HOST_ID: 'vm1', ...agentKeys, TEMPORAL_TLS: 'true' }),
      ),
      true,
      'a publicly trusted server needs no file',
    );
    assert.equal(
      temporalTlsEnabled(
        loadEnv(agentEnvSchema, {
          GRAPHIUM_HOST_ID: 'vm1',
          ...agentKeys,
          TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
        }),
      ),
      true,
      'a server name alone is not ignored',
    );
    assert.equal(
      temporalTlsEnabled(
        loadEnv(agentEnvSchema, { GRAPHIUM_HOST_ID: 'vm1', ...agentKeys, TEMPORAL_TLS_CA: '/etc/hostname' }),
      ),
      true,
    );
    assert.throws(
      () => loadEnv(agentEnvSchema, { GRAPHIUM_HOST_ID: 'vm1', ...agentKeys, TEMPORAL_TLS: 'yes' }),
      /TEMPORAL_TLS: expected true or false \(got "yes"\)/,
    );
    assert.throws(
      () => loadEnv(apiEnvSchema, { ...token, TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: '/etc/hostname' }),
      /TEMPORAL_TLS: false contradicts TEMPORAL_TLS_CA \(any TEMPORAL_TLS_\* setting turns TLS on\)/,
    );
    assert.throws(
      () => loadEnv(devEnvSchema, { TEMPORAL_TLS: 'true' }),
      /TEMPORAL_TLS: only used with TEMPORAL_ADDRESS/,
    );
  });

  it('reads the keys of Temporal payloads: a keyring, signing keys and public keys, never echoed', () => {
    const api = loadEnv(apiEnvSchema, token);
    assert.equal(api.GRAPHIUM_PAYLOAD_KEYS.activeKeyId, 'p1');
    assert.equal(api.GRAPHIUM_API_SIGNING_KEY.id, 'api1');
    const orchestrator = loadEnv(orchestratorEnvSchema, keys);
    assert.deepEqual(
      orchestrator.GRAPHIUM_API_PUBLIC_KEYS.map((k) => k.id),
      ['api1'],
    );
    const agent = loadEnv(agentEnvSchema, { GRAPHIUM_HOST_ID: 'vm1', ...agentKeys });
    assert.deepEqual(
      agent.GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS.map((k) => k.id),
      ['orchestrator1'],
    );
    assert.throws(
      () => loadEnv(agentEnvSchema, { GRAPHIUM_HOST_ID: 'vm1' }),
      (error: ConfigError) => {
        assert.match(error.message, /GRAPHIUM_PAYLOAD_KEYS: required/);
        assert.match(error.message, /GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS: required/);
        return true;
      },
    );
    const short = Buffer.alloc(16, 4).toString('base64');
    assert.throws(
      () => loadEnv(apiEnvSchema, { ...token, GRAPHIUM_API_SIGNING_KEY: `api1:${short}` }),
      (error: ConfigError) => {
        assert.match(error.message, /GRAPHIUM_API_SIGNING_KEY: key "api1" must be 32 bytes.*\(given\)/);
        assert.ok(!error.message.includes(short));
        return true;
      },
    );
    // One id for an API key and the orchestrator's would let the API's signature pass for the other's.
    assert.throws(
      () =>
        loadEnv(orchestratorEnvSchema, {
          ...keys,
          GRAPHIUM_API_PUBLIC_KEYS: publicOf(generateSigningKeyText('orchestrator1')),
        }),
      /GRAPHIUM_API_PUBLIC_KEYS: key id "orchestrator1" is also an orchestrator key id/,
    );
  });

  it('reads a Compose policy file and reserved stack names at start, naming what is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'graphium-policy-'));
    try {
      const good = join(dir, 'policy.yaml');
      writeFileSync(
        good,
        'rules:\n  services.*.ports: admin\n  services.*.cap_add: {deployer: [NET_ADMIN]}\n',
      );
      const env = loadEnv(apiEnvSchema, {
        ...token,
        GRAPHIUM_COMPOSE_POLICY: good,
        GRAPHIUM_RESERVED_STACK_NAMES: 'infra, temporal',
      });
      assert.equal(env.GRAPHIUM_COMPOSE_POLICY?.rules.get('services.*.ports'), 'admin');
      assert.deepEqual(env.GRAPHIUM_RESERVED_STACK_NAMES, ['infra', 'temporal']);
      const bad = join(dir, 'bad.yaml');
      writeFileSync(
        bad,
        'rules:\n  services.*.portz: admin\n  services.*.ports: {deployer: ["80:80"]}\n  services.*.gpus: deployer\n',
      );
      assert.throws(
        () =>
          loadEnv(apiEnvSchema, {
            ...token,
            GRAPHIUM_COMPOSE_POLICY: bad,
            GRAPHIUM_RESERVED_STACK_NAMES: 'Bad Name',
          }),
        (error: ConfigError) => {
          assert.match(
            error.message,
            /GRAPHIUM_COMPOSE_POLICY: .*bad\.yaml: rules\["services\.\*\.portz"\]: not a key of the policy table/,
          );
          assert.match(
            error.message,
            /rules\["services\.\*\.ports"\]: values can be opened one by one only for/,
          );
          assert.match(error.message, /rules\["services\.\*\.gpus"\]: refused for everyone/);
          assert.match(error.message, /GRAPHIUM_RESERVED_STACK_NAMES: expected comma-separated stack names/);
          return true;
        },
      );
      assert.throws(
        () => loadEnv(apiEnvSchema, { ...token, GRAPHIUM_COMPOSE_POLICY: join(dir, 'missing.yaml') }),
        /GRAPHIUM_COMPOSE_POLICY: cannot read .*missing\.yaml: ENOENT/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
