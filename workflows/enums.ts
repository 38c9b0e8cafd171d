// Enumerations shared by the database schema, zod validation, the API and workflows. Pure values.
export const roles = ['admin', 'deployer', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const deploymentStatuses = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'rolled_back',
  'cancelled',
] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];
export const activeDeploymentStatuses = ['pending', 'running'] as const satisfies readonly DeploymentStatus[];

export const stackFormats = ['yaml', 'json'] as const;
export type StackFormat = (typeof stackFormats)[number];
