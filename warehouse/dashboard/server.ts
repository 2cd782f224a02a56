/**
 * The dashboard's HTTP server, on 127.0.0.1 only: the page (`/`, filters in the
 * query string), the report model as JSON (`/api/report`, the page's refresh),
 * and the two scripts it loads. Requests whose Host is not this address are
 * refused (a page elsewhere cannot reach it through DNS rebinding). Models are
 * built one at a time, each on a freshly opened warehouse that is closed again,
 * so a DuckDB file is held only while its queries run and a pipeline can write
 * between refreshes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, UsageError } from '../../shared/errors.ts';
import { quoteForMessage } from '../../shared/format.ts';
import { parseReportFilters, type ReportFilters } from './filters.ts';
import { ASSET_ROUTES, pageAssets, renderReportPage, SERVER_CSP } from './render-page.ts';
import type { ReportModel } from './report-model.ts';

export const DASHBOARD_HOST = '127.0.0.1';

export interface DashboardServerOptions {
  /** Port to listen on (0: any free port). */
  port: number;
  /** Seconds between the page's refreshes (0: none). */
  refreshSeconds: number;
  /** Build the model for these filters (e.g. loadReportModel on the chosen warehouse). */
  load: (filters: ReportFilters) => Promise<ReportModel>;
}

export interface RunningDashboard {
  url: string;
  port: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy': SERVER_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

export async function startDashboardServer(opts: DashboardServerOptions): Promise<RunningDashboard> {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = (filters: ReportFilters): Promise<ReportModel> => {
    const next = queue.then(() => opts.load(filters));
    queue = next.catch(() => {});
    return next;
  };
  let port = opts.port;
  const server = createServer((req, res) => {
    handle(req, res).catch((err) =>
      send(res, 500, 'text/plain; charset=utf-8', `internal error: ${describeError(err)}`),
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    if (host !== `${DASHBOARD_HOST}:${port}` && host !== `localhost:${port}`) {
      return send(res, 421, 'text/plain; charset=utf-8', 'unexpected Host header');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (url.pathname === ASSET_ROUTES.echarts)
      return send(res, 200, 'text/javascript; charset=utf-8', pageAssets().echarts);
    if (url.pathname === ASSET_ROUTES.script)
      return send(res, 200, 'text/javascript; charset=utf-8', pageAssets().script);
    if (url.pathname !== '/' && url.pathname !== '/api/report') {
      return send(res, 404, 'text/plain; charset=utf-8', 'not found');
    }
    let filters: ReportFilters;
    try {
      filters = parseReportFilters({
        from: singleParam(url.searchParams, 'from'),
        to: singleParam(url.searchParams, 'to'),
        region: singleParam(url.searchParams, 'region'),
      });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      return url.pathname === '/'
        ? send(res, 400, 'text/plain; charset=utf-8', `bad filter: ${err.message}`)
        : send(res, 400, 'application/json', JSON.stringify({ error: `bad filter: ${err.message}` }));
    }
    const model = await serial(filters);
    if (url.pathname === '/api/report') return send(res, 200, 'application/json', JSON.stringify(model));
    return send(
      res,
      200,
      'text/html; charset=utf-8',
      renderReportPage({ model, mode: 'server', refreshSeconds: opts.refreshSeconds }),
    );
  }

  function send(res: ServerResponse, status: number, type: string, body: string): void {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': type,
      'cache-control': type.startsWith('text/javascript') ? 'max-age=3600' : 'no-store',
      'content-length': Buffer.byteLength(body),
    });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new UsageError(`port ${opts.port} on ${DASHBOARD_HOST} is in use; pick another with --port`, {
              field: 'port',
            })
          : err,
      );
    });
    server.listen(opts.port, DASHBOARD_HOST, resolve);
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${DASHBOARD_HOST}:${port}/`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
    },
  };
}

/** A filter given twice (`?region=A&region=B`) is refused: taking either one would show a page that is not what was asked. */
function singleParam(params: URLSearchParams, name: string): string | null {
  const values = params.getAll(name);
  if (values.length > 1) {
    throw new UsageError(
      `${name} was given ${values.length} times (${values.map(quoteForMessage).join(', ')}); give it once`,
      {
        field: name,
      },
    );
  }
  return values[0] ?? null;
}
