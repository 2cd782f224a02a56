/**
 * An HTTP health endpoint for hosts that probe one (Cloud Run sends its startup
 * and liveness probes to $PORT): 200 with the stream's status as JSON while it
 * runs or retries, 503 once it has failed.
 */
import { createServer, type Server } from 'node:http';

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export function startHealthServer(
  port: number,
  status: () => { state: string } & Record<string, unknown>,
  host = '0.0.0.0',
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const s = status();
    const body = JSON.stringify(s);
    res
      .writeHead(s.state === 'failed' ? 503 : 200, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      })
      .end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.unref();
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
