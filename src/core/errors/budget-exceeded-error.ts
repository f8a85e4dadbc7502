import { FaultlineError, hasCode, type FaultlineErrorOptions } from './faultline-error.ts';

/** Thrown by a budget guard when an operation would spend more tokens or cost than is left. */
export class BudgetExceededError extends FaultlineError {
  override readonly name = 'BudgetExceededError';
  /** Which budget ran out. */
  readonly budget: 'tokens' | 'cost';
  /** The budget's limit. */
  readonly limit: number;
  /** What had been spent before the refused operation. */
  readonly used: number;

  constructor(
    message: string,
    details: { budget: 'tokens' | 'cost'; limit: number; used: number },
    options: FaultlineErrorOptions = {},
  ) {
    super('FL_BUDGET_EXCEEDED', message, options);
    this.budget = details.budget;
    this.limit = details.limit;
    this.used = details.used;
  }
}

/** True when `error` is a {@link BudgetExceededError} (matched by code `FL_BUDGET_EXCEEDED`). */
export const isBudgetExceededError = hasCode<BudgetExceededError>('FL_BUDGET_EXCEEDED');
