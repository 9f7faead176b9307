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
  seedAdvisories?: string;
  seedScan?: string;
  adminToken?: boolean;
  offline?: boolean;
  trustProxy?: string;
  registryScans?: boolean;
  registryAllow?: string;
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
    .option('--seed-advisories <dir>', 'when the store has no advisories, import this offline snapshot (osv/, ghsa/, nvd/ folders) first')
    .option('--seed-scan <archive>', 'when the store has no scans, submit this image archive as the first scan')
    .option('--admin-token', 'print a new admin token (valid 30 days) on stdout at start')
    .option('--offline', 'feed jobs never reach the network')
    .option('--no-registry-scans', 'refuse scans of registry references (callers upload archives or SBOMs instead)')
    .option('--registry-allow <cidrs>', 'comma-separated IPs/CIDRs of registries scans may reach although they are on this host or link-local (refused by default: SSRF)')
    .option('--trust-proxy <proxies>', 'reverse proxies allowed to name the client in X-Forwarded-For: comma-separated IPs/CIDRs (or loopback, linklocal, uniquelocal), or a hop count; default none')
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
  const [server, { defaultStellaHome }] = await Promise.all([
    import('../../server/index.js'), import('../../scan/index.js'),
  ]);
  let trustProxy;
  const registryAllow = options.registryAllow === undefined ? undefined : options.registryAllow.split(',').map((e) => e.trim());
  try {
    trustProxy = options.trustProxy === undefined ? undefined : server.parseTrustProxy(options.trustProxy);
    if (registryAllow !== undefined) (await import('../../image/index.js')).internalAddressPolicy(registryAllow);
  } catch (error) {
    await write(io.stderr, `stella serve: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  let running;
  try {
    if (options.seedAdvisories !== undefined) {
      // Imported before listening: the first requests already see the snapshot.
      const { openStore } = await import('../../store/index.js');
      const store = await openStore({ ...(options.databaseUrl === undefined ? {} : { url: options.databaseUrl }), stellaHome: defaultStellaHome() });
      try {
        const imported = await server.seedAdvisories(store, options.seedAdvisories, { stellaHome: defaultStellaHome(), now: () => new Date() });
        if (imported !== undefined) await write(io.stderr, `stella serve: imported ${imported} advisories from ${options.seedAdvisories}\n`);
      } finally {
        await store.close();
      }
    }
    running = await server.startStellaServer({
      host: options.host,
      port,
      stellaHome: defaultStellaHome(),
      ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
      ...(options.tlsCert === undefined ? {} : { tlsCert: options.tlsCert }),
      ...(options.tlsKey === undefined ? {} : { tlsKey: options.tlsKey }),
      ...(options.tlsProvider === undefined ? {} : { tlsProvider: options.tlsProvider }),
      insecureHttp: options.insecureHttp === true,
      ...(trustProxy === undefined ? {} : { trustProxy }),
      ...(options.registryScans === false ? { registryScans: false } : {}),
      ...(registryAllow === undefined ? {} : { registryAllow }),
      ...(options.offline === true ? { offline: true } : {}),
      stderr: io.stderr,
      version,
    });
    if (options.adminToken === true || options.seedScan !== undefined) {
      const token = await server.issueAdminToken(running.context, 'stella serve --admin-token', 30 * 24 * 3600);
      if (options.adminToken === true) {
        await write(io.stderr, `stella serve: admin token (valid 30 days; shown once) on stdout; use it as "Authorization: Bearer <token>"\n`);
        await write(io.stdout, `${token}\n`);
      }
      if (options.seedScan !== undefined) {
        const id = await server.seedScan(running.app, running.context.store, options.seedScan, token);
        if (id !== undefined) await write(io.stderr, `stella serve: first scan ${id} of ${options.seedScan}: ${running.url}/api/v1/scans/${id}/findings\n`);
      }
    }
  } catch (error) {
    await running?.close();
    await write(io.stderr, `stella serve: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  await running.closed;
  return EXIT.ok;
}
