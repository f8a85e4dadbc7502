import { APICallError } from 'ai';
import {
  isBudgetExceededError,
  isCircuitOpenError,
  isInvalidOptionError,
  isTimeoutError,
} from '../core/index.ts';
import { defaultErrorClassifier } from '../policies/index.ts';
import { isIncompleteResponseError } from './incomplete-response-error.ts';

/**
 * True for a model failure worth another attempt: an `APICallError` the provider marked
 * `isRetryable` (408, 409, 429, 5xx, connection failures), a timeout, a response that stopped
 * before any output, a network error, or a malformed response. Context length exceeded, auth
 * and other 4xx errors, an open circuit and an exhausted budget are not.
 */
export function isRetryableModelError(error: unknown): boolean {
  if (APICallError.isInstance(error)) return error.isRetryable;
  if (isCircuitOpenError(error) || isBudgetExceededError(error) || isInvalidOptionError(error)) {
    return false;
  }
  if (isTimeoutError(error) || isIncompleteResponseError(error)) return true;
  switch (defaultErrorClassifier(error)) {
    case 'network':
    case 'timeout':
    case 'rateLimit':
    case 'server':
    case 'validation':
      return true;
    default:
      return false;
  }
}
