import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRolePolicy, RolePolicy } from './role-policy.js';
import { loadComposeDocument } from './single-document.js';

const adminOnly = (yaml: string, policy?: RolePolicy) =>
  loadComposeDocument(yaml, 'yaml', {}, policy)
    .adminOnly.map((issue) => issue.path)
    .sort();

const policy = (rules: Record<string, unknown>) => {
  const parsed = parseRolePolicy({ rules });
  assert.ok(parsed instanceof RolePolicy, String(parsed));
  return parsed;
};

const document = `
services:
  app:
    image: busybox
    ports: ["8080:80"]
    cap_add: [NET_ADMIN, SYS_ADMIN]
    sysctls: { net.core.somaxconn: 1024 }
    network_mode: host
    volumes: ["/etc/localtime:/etc/localtime:ro", "/etc/localtime/../shadow:/s", "/:/host"]
`;

describe('the Compose role policy', () => {
  it('by default lists what the policy table makes admin-only', () => {
    assert.deepEqual(adminOnly(document), [
      'services.app.cap_add',
      'services.app.network_mode',
      'services.app.sysctls',
      'services.app.volumes[0]',
      'services.app.volumes[1]',
      'services.app.volumes[2]',
    ]);
  });

  it('relaxes a key, or some values of it, for deployers; the other values stay admin-only', () => {
    const relaxed = policy({
      'services.*.cap_add': { deployer: ['NET_ADMIN'] },
      'services.*.sysctls': 'deployer',
      'services.*.network_mode': 'deployer',
      'services.*.volumes': { deployer: ['/etc/localtime'] },
    });
    const { adminOnly: issues } = loadComposeDocument(document, 'yaml', {}, relaxed);
    assert.deepEqual(
      issues.map((issue) => issue.path),
      // SYS_ADMIN is not opened; `/etc/localtime/../shadow` is /etc/shadow, not under /etc/localtime.
      ['services.app.cap_add', 'services.app.volumes[1]', 'services.app.volumes[2]'],
    );
    assert.match(issues[0]!.message, /: SYS_ADMIN$/);
    const onlyNetAdmin = document.replace('[NET_ADMIN, SYS_ADMIN]', '[NET_ADMIN]');
    assert.ok(!adminOnly(onlyNetAdmin, relaxed).includes('services.app.cap_add'));
  });

  it('tightens a key the table opens to deployers', () => {
    const tight = policy({ 'services.*.ports': 'admin' });
    assert.ok(adminOnly(document, tight).includes('services.app.ports'));
    assert.ok(!adminOnly(document).includes('services.app.ports'));
  });

  it('refuses a policy it cannot apply, naming each problem', () => {
    assert.deepEqual(
      parseRolePolicy({
        rules: {
          'services.*.nope': 'admin',
          'services.*.gpus': 'deployer',
          'services.*.ports': 'deployer',
          'services.*.privileged': { deployer: ['true'] },
          'services.*.cap_add': { deployer: [] },
          'services.*.image': 'root',
        },
        extra: 1,
      }),
      [
        'unknown setting "extra"',
        'rules["services.*.nope"]: not a key of the policy table (write keys as docs/compose.md lists them, e.g. services.*.cap_add)',
        'rules["services.*.gpus"]: refused for everyone; the policy decides who may use supported and admin keys',
        'rules["services.*.ports"]: already open to deployers',
        `rules["services.*.privileged"]: values can be opened one by one only for services.*.cap_add, services.*.devices, services.*.sysctls, services.*.security_opt, services.*.userns_mode, services.*.network_mode, services.*.pid, services.*.ipc, services.*.volumes, networks.*.external, volumes.*.external, networks.*.driver, volumes.*.driver, services.*.container_name, services.*.image`,
        'rules["services.*.cap_add"]: deployer must list values (a capability, as written (`NET_ADMIN`))',
        'rules["services.*.image"]: expected admin, deployer or {deployer: [values]}',
      ],
    );
  });
});
