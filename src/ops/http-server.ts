/**
 * The operations endpoint: `GET /healthz` (the process runs), `GET /readyz` (every chat platform
 * started; 503 before) and `GET /metrics` (Prometheus text). Nothing else: another path is a 404,
 * another method a 405 with `Allow`. Responses carry only what readiness and metrics put in them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ConfigError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from './metrics.js';
import type { ReadinessReport } from './readiness.js';

export interface OpsServerOptions {
  host: string;
  /** 0 picks a free port (tests); the config allows 1-65535. */
  port: number;
  metrics: Pick<Metrics, 'render' | 'contentType'>;
  readiness: () => ReadinessReport;
  logger: Logger;
}

export interface OpsServer {
  /** Where it listens (the actual port when 0 was asked for). */
  readonly address: { host: string; port: number };
  /** Stops listening and closes open connections (a scraper's keep-alive socket too). */
  close(): Promise<void>;
}

const ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const ALLOWED_METHODS = 'GET, HEAD';

/** Listens on host:port; a port in use (or a host that is not ours) is a `ConfigError` naming host:port. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { logger } = options;

  const send = (res: ServerResponse, status: number, contentType: string, body: string) => {
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  };
  const sendJson = (res: ServerResponse, status: number, body: unknown) =>
    send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!ROUTES.has(path)) {
      sendJson(res, 404, { error: 'not found', paths: [...ROUTES] });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', ALLOWED_METHODS);
      sendJson(res, 405, { error: 'method not allowed', allow: ALLOWED_METHODS });
      return;
    }
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      const report = options.readiness();
      sendJson(res, report.ready ? 200 : 503, report);
    } else {
      send(res, 200, options.metrics.contentType, await options.metrics.render());
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: describeError(error), path: req.url }, 'operations endpoint failed to answer');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error; see the log' });
      else res.destroy();
    });
  });

  const where = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, where));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port, options.host);
  });
  server.on('error', (error) => logger.error({ err: describeError(error) }, 'operations endpoint error'));

  const bound = server.address();
  const address = {
    host: options.host,
    port: bound !== null && typeof bound === 'object' ? bound.port : options.port,
  };
  logger.info({ host: address.host, port: address.port }, 'operations endpoint listening');

  let closing: Promise<void> | undefined;
  return {
    address,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** A listen failure as the fix the user needs: which address, and what to change. */
function listenError(error: NodeJS.ErrnoException, where: string): Error {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ConfigError(
        `http: ${where} is already in use; stop what listens there or set http.port to a free port`,
      );
    case 'EACCES':
      return new ConfigError(`http: not allowed to listen on ${where}; use a port above 1023 in http.port`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new ConfigError(
        `http: cannot listen on ${where}: the host is not an address of this machine; check http.host`,
      );
    default:
      return error;
  }
}
