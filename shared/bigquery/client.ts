/**
 * The BigQuery client every part of salesflow uses: the real service with
 * Application Default Credentials, or — given an endpoint, or the standard
 * BIGQUERY_EMULATOR_HOST — an emulator/test server, with no auth attached.
 */
import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';

export function createBigQueryClient(
  projectId: string,
  endpoint?: string,
  opts: { maxRetries?: number } = {},
): BigQuery {
  const apiEndpoint = endpoint ?? process.env.BIGQUERY_EMULATOR_HOST;
  // maxRetries: the client retries transient failures itself (3 by default, with backoff).
  const retries =
    opts.maxRetries === undefined
      ? {}
      : { retryOptions: { autoRetry: opts.maxRetries > 0, maxRetries: opts.maxRetries } };
  return apiEndpoint
    ? new BigQuery({ projectId, apiEndpoint, authClient: new PassThroughClient(), ...retries })
    : new BigQuery({ projectId, ...retries });
}
