import type { z } from 'zod';
import type { ContainerState, Role } from '../../contracts/vocabulary.js';
import type { PlacedContainer, StackSpec } from '../../stack/types.js';
import type { StackOperationInput } from '../operation-types.js';
import type { OperationProgress } from '../progress-types.js';

// What a workflow type declares about itself. Everything outside the workflow (the API route, the
// options validation and JSON Schema, the role checks, the CLI's `graphium run`, the actions a
// running deployment accepts, the dashboard's forms) is derived from this, so adding a type is one
// file and one line in workflows/index.ts exporting the type and its workflow.

export interface ActionDefinition {
  description: string;
  /** The role needed to take this action on a running deployment. */
  role: Role;
}

export interface OperationType<Options extends z.ZodType = z.ZodType> {
  /** The operation's name in the API (`POST /stacks/:id/operations/<name>`) and the CLI: `[a-z][a-z0-9-]*`. */
  name: string;
  description: string;
  /** The role needed to start it. */
  role: Role;
  /** Its options, validated by the API before anything starts; the JSON Schema clients see is made from it. */
  options: Options;
  /** What a running deployment of this type may be asked to do (Temporal Updates), by name. */
  actions: Record<string, ActionDefinition>;
  /** Whether it places a stack version onto hosts (needs a version and a placement). */
  placesVersion: boolean;
  /** Progress counts a container as done in these states. */
  goalStates: readonly ContainerState[];
  /** The workflow function: the orchestrator registers it by its name, the API starts it by reference. */
  workflow: (input: StackOperationInput<z.output<Options>>) => Promise<OperationProgress>;
  /**
   * What makes this type impossible for a stack version before anything starts (two containers of a
   * service that would bind the same host port, say): the reason, or undefined. The API answers a
   * reason with 422, so the operation is refused rather than failing halfway.
   */
  refuses?: (plan: OperationPlan<z.output<Options>>) => string | undefined;
}

/** What an operation would do, as the API knows it before starting it. */
export interface OperationPlan<Options = unknown> {
  spec: StackSpec;
  /** Where each container of the version goes (types that place a version), or runs now. */
  placements: PlacedContainer[];
  /** What the stack runs now, and where, as the database last saw it. */
  current: PlacedContainer[];
  options: Options | undefined;
}

export const operationNamePattern = /^[a-z][a-z0-9-]{0,30}$/;

/** Declares a workflow type. A function, not a bare object, so TypeScript checks the options end to end. */
export function defineOperation<Options extends z.ZodType>(
  type: OperationType<Options>,
): OperationType<Options> {
  return type;
}

/** Whether a value exported from workflows/index.ts is a type (not a workflow function). */
export function isOperationType(value: unknown): value is OperationType {
  const type = value as Partial<OperationType> | undefined;
  return (
    typeof type === 'object' &&
    type !== null &&
    typeof type.name === 'string' &&
    typeof type.workflow === 'function' &&
    typeof type.options === 'object'
  );
}
