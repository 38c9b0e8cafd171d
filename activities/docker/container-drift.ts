import type Docker from 'dockerode';
import { LABEL_CONFIG_HASH, LABEL_DEPLOYMENT } from '../../contracts/vocabulary.js';

// Whether a container really has the definition Graphium would give it now. Its config-hash label
// says what it was created with, but a container recreated by hand with the labels copied keeps the
// label and not the definition: so the parts people change (environment, image, command, labels)
// are compared with what the daemon holds, not only the label.

/** Docker's rule: the container's environment is the image's, overridden (and extended) by the create call's. */
function mergedEnv(
  imageEnv: readonly string[] | null | undefined,
  own: readonly string[] | undefined,
): string[] {
  const byKey = new Map<string, string>();
  for (const entry of [...(imageEnv ?? []), ...(own ?? [])]) byKey.set(entry.split('=')[0] ?? entry, entry);
  return [...byKey.values()];
}

/** Keys whose entries differ between two environments: named, never their values (they may be secrets). */
function differingKeys(actual: readonly string[], expected: readonly string[]): string[] {
  const toMap = (entries: readonly string[]) =>
    new Map(entries.map((entry) => [entry.split('=')[0] ?? entry, entry] as const));
  const a = toMap(actual);
  const e = toMap(expected);
  return [...new Set([...a.keys(), ...e.keys()])].filter((key) => a.get(key) !== e.get(key)).sort();
}

const sameList = (a: readonly string[] | null | undefined, b: readonly string[] | null | undefined) =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

/**
 * How `existing` differs from the container `options` would create (with `image`), in a few words,
 * or undefined when it does not. The deployment label is left out: an unchanged container keeps the
 * label of the deploy that created it.
 */
export function describeDifference(
  existing: Docker.ContainerInspectInfo,
  options: Docker.ContainerCreateOptions,
  image: Docker.ImageInspectInfo,
): string | undefined {
  const labels = existing.Config.Labels ?? {};
  if (labels[LABEL_CONFIG_HASH] !== options.Labels?.[LABEL_CONFIG_HASH]) {
    return 'created from another definition (config hash differs)';
  }
  if (existing.Image !== image.Id) return 'runs another image';
  const keys = differingKeys(existing.Config.Env ?? [], mergedEnv(image.Config?.Env, options.Env));
  if (keys.length > 0) return `environment differs: ${keys.join(', ')}`;
  if (options.Cmd !== undefined && !sameList(existing.Config.Cmd, options.Cmd as string[])) {
    return 'command differs';
  }
  if (
    options.Entrypoint !== undefined &&
    !sameList(existing.Config.Entrypoint as string[] | null, options.Entrypoint as string[])
  ) {
    return 'entrypoint differs';
  }
  const changedLabel = Object.entries(options.Labels ?? {}).find(
    ([key, value]) => key !== LABEL_DEPLOYMENT && labels[key] !== value,
  );
  if (changedLabel) return `label ${changedLabel[0]} differs`;
  return undefined;
}
