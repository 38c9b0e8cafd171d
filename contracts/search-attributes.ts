import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes (public): SREs filter on them in the Temporal UI and scripts query them.
// The orchestrator registers any that are missing when it starts, so a plain dev server works.
export const stackKey = defineSearchAttributeKey('GraphiumStack', SearchAttributeType.KEYWORD);
export const hostsKey = defineSearchAttributeKey('GraphiumHosts', SearchAttributeType.KEYWORD_LIST);
export const operationKey = defineSearchAttributeKey('GraphiumOperation', SearchAttributeType.KEYWORD);
export const statusKey = defineSearchAttributeKey('GraphiumStatus', SearchAttributeType.KEYWORD);

/** On reconcile operations: the drift kinds found (`changed`, `missing`…), empty when none. */
export const driftKey = defineSearchAttributeKey('GraphiumDrift', SearchAttributeType.KEYWORD_LIST);

export const graphiumSearchAttributes = [stackKey, hostsKey, operationKey, statusKey, driftKey] as const;
