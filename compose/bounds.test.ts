import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ENV_ENTRY_BYTES } from './normalize-env.js';
import { parseStackDefinition } from './single-document.js';

// Values a Compose file may hold but a host cannot run: refused when the stack is stored, with the key
// named, instead of failing on a host at deploy time.

const withEnv = (value: string) =>
  `services:\n  web:\n    image: busybox\n    environment:\n      BIG: "${value}"\n`;

describe('Compose bounds', () => {
  it('refuses one environment entry above 128 KiB (Linux MAX_ARG_STRLEN) and takes one at the limit', () => {
    const fits = 'x'.repeat(MAX_ENV_ENTRY_BYTES - 'BIG='.length);
    assert.equal(parseStackDefinition(withEnv(fits), 'yaml').services[0]!.environment.BIG, fits);
    assert.throws(() => parseStackDefinition(withEnv(`${fits}x`), 'yaml'), {
      name: 'ComposeError',
      message:
        /services\.web\.environment\.BIG: BIG=… is 131072 bytes: one environment entry may hold at most 131071/,
    });
  });

  it('refuses healthcheck timings above 1h, retries above 1,000 and a stop grace period above 1h', () => {
    const doc = (service: string) => `services:\n  web:\n    image: busybox\n${service}`;
    const at = doc(
      '    stop_grace_period: 1h\n    healthcheck:\n      interval: 60m\n      timeout: 1h\n      start_period: 3600s\n      retries: 1000\n',
    );
    const ok = parseStackDefinition(at, 'yaml').services[0]!;
    assert.deepEqual(
      [ok.stopGracePeriodMs, ok.healthcheck?.intervalMs, ok.healthcheck?.timeoutMs, ok.healthcheck?.retries],
      [3_600_000, 3_600_000, 3_600_000, 1_000],
    );
    const cases: [string, RegExp][] = [
      ['    stop_grace_period: 61m\n', /services\.web\.stop_grace_period: "61m" is above the maximum, 1h/],
      [
        '    healthcheck:\n      interval: 3601s\n',
        /services\.web\.healthcheck\.interval: "3601s" is above the maximum, 1h/,
      ],
      [
        '    healthcheck:\n      timeout: 2h\n',
        /services\.web\.healthcheck\.timeout: "2h" is above the maximum, 1h/,
      ],
      [
        '    healthcheck:\n      start_period: 87600h\n',
        /healthcheck\.start_period: "87600h" is above the maximum/,
      ],
      [
        '    healthcheck:\n      retries: 1001\n',
        /services\.web\.healthcheck\.retries: 1001 is above the maximum, 1000/,
      ],
    ];
    for (const [service, message] of cases) {
      assert.throws(
        () => parseStackDefinition(doc(service), 'yaml'),
        { name: 'ComposeError', message },
        service,
      );
    }
  });
});
