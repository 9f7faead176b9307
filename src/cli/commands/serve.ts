import type { Command } from 'commander';
import { EXIT, write, type CliIo } from '../io.js';

/*
 * `stella serve`: the REST API over the store, HTTPS with TLS 1.3 by default. The server loads
 * when the command runs (not at CLI start, so `stella --version` stays fast). Runs until
 * SIGTERM/SIGINT, then closes gracefully and exits 0.
 */

interface ServeOptions {
  host: string;
  port: string;
  insecureHttp?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsProvider?: string;
  databaseUrl?: string;
}

export function registerServe(program: Command, io: CliIo, setExit: (code: number) => void, version: string): void {
  program
    .command('serve')
    .description('serve the REST API (OpenAPI at /api/docs) over HTTPS; logs JSON on stderr')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'TCP port (0: any free port)', '8443')
    .option('--insecure-http', 'serve plain HTTP (logs a warning; only behind a TLS-terminating proxy)')
    .option('--tls-cert <file>', 'PEM certificate (chain) to serve, with --tls-key (default: a self-signed one under $STELLA_HOME/tls)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--tls-provider <module>', 'ESM module whose default export returns TLS secure-context options (the only way to allow TLS 1.2)')
    .option('--database-url <url>', 'store URL (default: $STELLA_DATABASE_URL, else SQLite under $STELLA_HOME)')
    .action(async (options: ServeOptions) => setExit(await serve(io, options, version)));
}

async function serve(io: CliIo, options: ServeOptions, version: string): Promise<number> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    await write(io.stderr, `stella serve: --port wants a whole number from 0 to 65535\n`);
    return EXIT.usage;
  }
  if (options.insecureHttp === true && (options.tlsCert !== undefined || options.tlsKey !== undefined || options.tlsProvider !== undefined)) {
    await write(io.stderr, `stella serve: --insecure-http cannot be combined with --tls-cert, --tls-key or --tls-provider\n`);
    return EXIT.usage;
  }
  const [{ defaultParts, defaultQuota, startServer }, { defaultStellaHome }] = await Promise.all([
    import('../../server/index.js'), import('../../scan/index.js'),
  ]);
  let running;
  try {
    running = await startServer({
      host: options.host,
      port,
      stellaHome: defaultStellaHome(),
      ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
      ...(options.tlsCert === undefined ? {} : { tlsCert: options.tlsCert }),
      ...(options.tlsKey === undefined ? {} : { tlsKey: options.tlsKey }),
      ...(options.tlsProvider === undefined ? {} : { tlsProvider: options.tlsProvider }),
      insecureHttp: options.insecureHttp === true,
      parts: defaultParts(),
      quota: defaultQuota,
      stderr: io.stderr,
      version,
    });
  } catch (error) {
    await write(io.stderr, `stella serve: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  await running.closed;
  return EXIT.ok;
}
