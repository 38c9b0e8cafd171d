import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mismatchedPlatforms, platformOf } from './platform.js';

describe('platform', () => {
  it("reads docker info's kernel names as image platforms", () => {
    assert.equal(platformOf('linux/x86_64'), 'linux/amd64');
    assert.equal(platformOf('Linux/aarch64'), 'linux/arm64');
    assert.equal(platformOf('linux/arm/v7'), 'linux/arm');
    assert.equal(platformOf('linux/armv7l'), 'linux/arm');
  });

  it('names the services’ platforms a daemon cannot run', () => {
    const amd64 = { OSType: 'linux', Architecture: 'x86_64' };
    assert.deepEqual(mismatchedPlatforms(['linux/amd64', 'LINUX/AMD64'], amd64), {
      own: 'linux/amd64',
      wrong: [],
    });
    assert.deepEqual(mismatchedPlatforms(['linux/arm64', 'linux/amd64', 'windows/amd64'], amd64), {
      own: 'linux/amd64',
      wrong: ['linux/arm64', 'windows/amd64'],
    });
    assert.deepEqual(
      mismatchedPlatforms(['linux/arm/v7'], { OSType: 'linux', Architecture: 'armv7l' }).wrong,
      [],
    );
  });
});
