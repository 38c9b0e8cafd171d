// `build:` → BuildSpec. The context is a directory of the project; its files (after .dockerignore, with
// the Dockerfile and .dockerignore always kept, as the builder does) travel in the bundle, and
// `contextDigest` hashes everything that defines the build, so the same digest builds the same image.
import { posix } from 'node:path';
import ignore from 'ignore';
import { canonicalJson, sha256Hex as sha256 } from '../lib/digest.js';
import type { BuildSpec } from '../stack/types.js';
import type { ProjectContext } from './project-context.js';
import { decodeText } from './project-reader.js';
import { bundlePath } from './rebase.js';
import { keyValueEntries, scalarText } from './values.js';
import { isMapping } from './yaml.js';

export function serviceBuild(
  ctx: ProjectContext,
  path: string,
  name: string,
  value: unknown,
): BuildSpec | undefined {
  const build = typeof value === 'string' ? { context: value } : isMapping(value) ? value : undefined;
  if (!build) return undefined;
  const contextText = typeof build.context === 'string' ? build.context : '.';
  if (/^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(contextText)) {
    ctx.error(
      `${path}.context`,
      `a remote build context ("${contextText}") is not supported: the hosts build from the project's files; put the sources in the project`,
    );
    return undefined;
  }
  const context = bundlePath(contextText);
  if (context === undefined) {
    ctx.error(
      `${path}.context`,
      `build context "${contextText}" is outside the project directory, so it cannot travel to the hosts`,
    );
    return undefined;
  }
  if (context !== '.' && !ctx.reader.isDirectory(context)) {
    ctx.error(`${path}.context`, `build context "${contextText}" is not a directory of the project`);
    return undefined;
  }
  const inside = (file: string) => (context === '.' ? file : posix.relative(context, file));
  let dockerfile = typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile';
  if (typeof build.dockerfile_inline === 'string') {
    dockerfile = `.graphium-inline-${name}.Dockerfile`;
    ctx.addGenerated(posix.join(context, dockerfile), build.dockerfile_inline, false);
  }
  const dockerfilePath = posix.normalize(posix.join(context, dockerfile));
  if (dockerfilePath.startsWith('../') || (context !== '.' && !dockerfilePath.startsWith(`${context}/`))) {
    ctx.error(
      `${path}.dockerfile`,
      `"${dockerfile}" is outside the build context "${contextText}"; the classic builder reads it from the context`,
    );
    return undefined;
  }
  if (!ctx.files.has(dockerfilePath) && !ctx.reader.read(dockerfilePath)) {
    ctx.error(`${path}.dockerfile`, `no Dockerfile "${dockerfile}" in the build context "${contextText}"`);
    return undefined;
  }
  const ignoreFile = ctx.reader.read(posix.join(context, '.dockerignore'));
  const filter = ignore();
  if (ignoreFile) filter.add(decodeText(ignoreFile.content));
  const always = new Set([posix.relative(context, dockerfilePath), '.dockerignore']);
  const files = ctx.reader
    .list(context)
    .filter((file) => always.has(inside(file)) || !filter.ignores(inside(file)));
  for (const file of files) ctx.addFile(file);
  if (!files.includes(dockerfilePath)) ctx.addFile(dockerfilePath);

  const args: Record<string, string> = {};
  for (const [key, arg] of keyValueEntries(build.args)) {
    // An argument without a value takes it from the project's variables, as Compose does; unset, it is left out.
    const resolved = arg ?? ctx.lookup(key);
    if (resolved !== undefined) args[key] = resolved;
  }
  const labels = Object.fromEntries(keyValueEntries(build.labels).map(([key, label]) => [key, label ?? '']));
  const spec: BuildSpec = {
    context,
    dockerfile: posix.relative(context, dockerfilePath),
    args,
    labels,
    contextDigest: '',
  };
  if (build.target !== undefined) spec.target = scalarText(build.target);
  const contextFiles = [...new Set([...files, dockerfilePath])].sort().map((file) => {
    const entry = ctx.files.get(file)!;
    return { path: inside(file), digest: sha256(entry.content), mode: entry.mode & 0o7777 };
  });
  spec.contextDigest = sha256(
    canonicalJson({ files: contextFiles, dockerfile: spec.dockerfile, args, target: spec.target, labels }),
  );
  return spec;
}
