/** BigQuery's JSON error format: {error: {code, message, status, errors: [{reason, message, domain}]}}. */

export class BqHttpError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly location?: string;
  constructor(status: number, reason: string, message: string, location?: string) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.location = location;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
};

export function errorBody(status: number, reason: string, message: string, location?: string) {
  return {
    error: {
      code: status,
      message,
      status: STATUS_TEXT[status] ?? 'UNKNOWN',
      errors: [{ message, domain: 'global', reason, ...(location ? { location, locationType: 'other' } : {}) }],
    },
  };
}

export const notFound = (what: string) => new BqHttpError(404, 'notFound', `Not found: ${what}`);
export const duplicate = (what: string) => new BqHttpError(409, 'duplicate', `Already Exists: ${what}`);
export const invalid = (message: string, location?: string) => new BqHttpError(400, 'invalid', message, location);
export const invalidQuery = (message: string) => new BqHttpError(400, 'invalidQuery', message);
