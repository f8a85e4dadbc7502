import { AsyncLocalStorage } from 'node:async_hooks';
import type { InjectionRecord } from './journal.ts';
import type { ChaosScope } from './scope.ts';

/** One operation of a chaos test: the injections made while it ran. @internal */
export interface OperationFrame {
  readonly index: number;
  readonly injections: InjectionRecord[];
}

/** What the async context carries inside a chaos scope. @internal */
export interface ChaosFrame {
  readonly scope: ChaosScope;
  readonly operation: OperationFrame | undefined;
}

/** The async context of chaos scopes. @internal */
export const frameStorage = new AsyncLocalStorage<ChaosFrame>();

/**
 * Process-wide state read on the hot path of every wrapped function: while no scope runs and no
 * global scope is configured, a wrapped call goes straight to the function. @internal
 */
export const ambient: { runs: number; global: ChaosScope | undefined } = {
  runs: 0,
  global: undefined,
};

/** The scope in effect here: the innermost `chaos.run`, else the global one. @internal */
export function currentScope(): ChaosScope | undefined {
  if (ambient.runs === 0) return ambient.global;
  return frameStorage.getStore()?.scope ?? ambient.global;
}
