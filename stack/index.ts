// The surface of stack/ that the API and tests import; pure, so workflows may import stack/ too.
// Reading Compose projects is compose/'s job (it needs hashing and paths); stack/ only works on the result.
export { newStackNamePattern, reservedStackName, stackNamePattern } from './names.js';
export { placeContainers } from './placement.js';
export { PlacementError } from './placement-error.js';
