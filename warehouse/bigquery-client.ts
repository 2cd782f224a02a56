/**
 * The BigQuery client every part of salesflow uses: the real service with
 * Application Default Credentials, or — given an endpoint, or the standard
 * BIGQUERY_EMULATOR_HOST — an emulator/test server, with no auth attached.
 */
import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';

export function createBigQueryClient(projectId: string, endpoint?: string): BigQuery {
  const apiEndpoint = endpoint ?? process.env.BIGQUERY_EMULATOR_HOST;
  return apiEndpoint
    ? new BigQuery({ projectId, apiEndpoint, authClient: new PassThroughClient() })
    : new BigQuery({ projectId });
}
