import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes SREs filter on in the Temporal UI. The orchestrator registers any that
// are missing when it starts, so a plain `temporal server start-dev` works.
export const stackKey = defineSearchAttributeKey('GraphiumStack', SearchAttributeType.KEYWORD);
export const hostsKey = defineSearchAttributeKey('GraphiumHosts', SearchAttributeType.KEYWORD_LIST);
export const operationKey = defineSearchAttributeKey('GraphiumOperation', SearchAttributeType.KEYWORD);
export const statusKey = defineSearchAttributeKey('GraphiumStatus', SearchAttributeType.KEYWORD);

export const graphiumSearchAttributes = [stackKey, hostsKey, operationKey, statusKey] as const;
