// What names a stack may give Docker objects on a host without reaching another stack's or Graphium's:
// the API holds deployers' documents to these, and the agents check them again before creating anything.
// Only `<stack>_` (containers) and `<stack>/` (images) are unambiguous: a new stack's name has no "_"
// nor "/", while "-" is in names (`shop-web_app_1` is stack shop-web's, not shop's).

/** A container name of the stack's own: `<stack>_<anything>`, which no other new stack can produce. */
export function isOwnContainerName(stack: string, name: string): boolean {
  return name.startsWith(`${stack}_`) && name.length > stack.length + 1;
}

/** An image repository of the stack's own: `<stack>/<name>[:tag]`. */
export function isOwnImageName(stack: string, image: string): boolean {
  return image.startsWith(`${stack}/`) && image.length > stack.length + 1 && !image.includes('@');
}

/** The network driver and volume driver a stack may use without approval (Docker's defaults). */
export const DEFAULT_NETWORK_DRIVER = 'bridge';
export const DEFAULT_VOLUME_DRIVER = 'local';
