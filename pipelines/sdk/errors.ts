/**
 * Pipeline errors. A failing step is named, and so is the element it failed on
 * (truncated), so a user can find the bad record; the cause's retryability is kept.
 */
import { describeError, SalesflowError, UsageError } from '../../shared/errors.ts';

const ELEMENT_PREVIEW_CHARS = 200;

/** A short, single-line rendering of any element for error messages. */
export function previewElement(element: unknown, max = ELEMENT_PREVIEW_CHARS): string {
  let text: string;
  try {
    text =
      typeof element === 'string'
        ? JSON.stringify(element)
        : (JSON.stringify(element, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(element));
  } catch {
    text = String(element);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** A DoFn, combine or sink step threw while processing an element. */
export class StepError extends SalesflowError {
  readonly step: string;
  readonly element: string | undefined;

  constructor(step: string, cause: unknown, element?: unknown, hasElement = element !== undefined) {
    const preview = hasElement ? previewElement(element) : undefined;
    const on = preview === undefined ? '' : ` on element ${preview}`;
    super(`step "${step}" failed${on}: ${describeError(cause)}`, {
      code: 'STEP_FAILED',
      retry: cause instanceof SalesflowError ? cause.retry : 'terminal',
      context: { step, ...(preview === undefined ? {} : { value: preview }) },
      cause,
    });
    this.step = step;
    this.element = preview;
  }
}

/** The pipeline graph itself is wrong (unknown side input, GBK of unbounded global data, …). */
export class PipelineConstructionError extends UsageError {}
