/** What the page says when a query fails: a missing table, an unreachable warehouse, or the error itself. */
import { describeError, SalesflowError } from '../../shared/errors.ts';
import { missingTableOf } from '../errors.ts';

export function errorMessageForPage(err: unknown, target: string): string {
  const table = missingTableOf(err);
  if (table) return `table ${table} does not exist in ${target}`;
  if (err instanceof SalesflowError && err.transient) {
    return `cannot reach the warehouse ${target} right now (${describeError(err)}); the page retries at the next refresh`;
  }
  return describeError(err);
}
