/** What a failure caused on purpose carries: which fault, of which kind, under which seed. */
export interface InjectedFaultInfo {
  /** The fault's name, e.g. `tool-server-down`. */
  readonly fault: string;
  /** The fault's kind, e.g. `network`. */
  readonly kind: string;
  /** The seed of the run that injected it. */
  readonly seed: string;
}

const marker = Symbol.for('faultline.injected-fault');

/** Marks `error` as injected by faultline, so reports can tell chaos from real failures. */
export function markInjected<E extends object>(error: E, info: InjectedFaultInfo): E {
  Object.defineProperty(error, marker, { value: info, enumerable: false, configurable: true });
  return error;
}

/** True when `error` was injected by faultline (works across duplicate installs). */
export function isInjectedFault(error: unknown): boolean {
  return typeof error === 'object' && error !== null && marker in error;
}

/** The injection details of an injected failure, or `undefined` for a real one. */
export function injectedFaultInfo(error: unknown): InjectedFaultInfo | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as { [marker]?: InjectedFaultInfo })[marker];
}
