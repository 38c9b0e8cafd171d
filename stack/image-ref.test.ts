import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { credentialFor, normalizeRegistryHost, pinsDigest, registryHost } from './image-ref.js';

describe('image references', () => {
  it('finds the registry as Docker does: a first component with a dot, a port, or localhost', () => {
    const cases: [string, string][] = [
      ['nginx', 'docker.io'],
      ['nginx:1.27', 'docker.io'],
      ['library/nginx', 'docker.io'],
      ['bitnami/redis:7', 'docker.io'],
      ['ghcr.io/acme/api:1', 'ghcr.io'],
      ['registry.example.com:5000/team/app', 'registry.example.com:5000'],
      ['localhost:5000/app', 'localhost:5000'],
      ['localhost/app', 'localhost'],
      ['Registry.Example.com/App', 'registry.example.com'],
      ['index.docker.io/library/nginx', 'docker.io'],
      ['app@sha256:0123', 'docker.io'],
    ];
    for (const [image, host] of cases) assert.equal(registryHost(image), host, image);
  });

  it('reads registry hosts the ways users write them', () => {
    assert.equal(normalizeRegistryHost('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(normalizeRegistryHost('registry-1.docker.io'), 'docker.io');
    assert.equal(normalizeRegistryHost(' GHCR.io/ '), 'ghcr.io');
    assert.equal(normalizeRegistryHost('https://registry.example.com:5000'), 'registry.example.com:5000');
  });

  it("picks the credential of the image's own registry, and none for another", () => {
    const registries = [
      { host: 'ghcr.io', username: 'a', password: 'x' },
      { host: 'https://index.docker.io/v1/', username: 'b', password: 'y' },
    ];
    assert.equal(credentialFor('ghcr.io/acme/api:1', registries)?.username, 'a');
    assert.equal(credentialFor('acme/private:1', registries)?.username, 'b');
    assert.equal(credentialFor('quay.io/acme/api:1', registries), undefined);
    assert.equal(credentialFor('nginx', undefined), undefined);
  });

  it('knows a digest reference never changes', () => {
    assert.ok(pinsDigest(`nginx@sha256:${'0'.repeat(64)}`));
    assert.ok(!pinsDigest('nginx:latest'));
  });
});
