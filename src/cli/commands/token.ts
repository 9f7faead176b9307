import type { Command } from 'commander';
import type { AuthorityError, TokenInfo } from '../../server/index.js';
import { EXIT, readAll, write, type CliIo } from '../io.js';
import { withStore } from './db.js';

/*
 * `stella token`: issue, list and revoke API tokens (JWTs signed by the instance key kept in the
 * store). A token is printed once, on stdout, and stored nowhere: the store keeps only a salted
 * hash of its id, which is what `list` shows and `revoke` accepts.
 */

interface StoreOptions {
  databaseUrl?: string;
}

interface CreateOptions extends StoreOptions {
  scopes: string;
  expires: string;
  label?: string;
  json?: boolean;
}

interface ListOptions extends StoreOptions {
  json?: boolean;
}

const server = () => import('../../server/index.js');

export function registerToken(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const token = program.command('token').description('API tokens: create (printed once), list (by hash), revoke');

  token
    .command('create')
    .description('issue a token; the token alone goes to stdout (details on stderr)')
    .requiredOption('--scopes <list>', 'comma-separated: scan, read, feeds, offline-kit, admin')
    .option('--expires <duration>', 'lifetime: <n>s|m|h|d|w|y', '30d')
    .option('--label <text>', 'who or what holds the token (the JWT subject)')
    .option('--json', 'print the token with its hash, scopes and expiry as JSON')
    .option('--database-url <url>', 'store URL (default: $STELLA_DATABASE_URL, else SQLite under $STELLA_HOME)')
    .action(async (options: CreateOptions) => setExit(await create(io, options)));

  token
    .command('list')
    .description('issued tokens: hash, label, scopes, expiry, revocation (never the tokens)')
    .option('--json', 'machine-readable output')
    .option('--database-url <url>', 'store URL')
    .action(async (options: ListOptions) => setExit(await list(io, options)));

  token
    .command('revoke')
    .description('revoke a token, named by its hash, a unique hash prefix (6+ hex digits), the token itself, or "-" (token on stdin)')
    .argument('<hash-prefix|token>')
    .option('--database-url <url>', 'store URL')
    .action(async (reference: string, options: StoreOptions) => setExit(await revoke(io, reference, options)));
}

async function create(io: CliIo, options: CreateOptions): Promise<number> {
  const { Authority, parseDuration, parseScopes, isAuthorityError } = await server();
  let request;
  try {
    request = { scopes: parseScopes(options.scopes), expiresInSeconds: parseDuration(options.expires), ...(options.label === undefined ? {} : { label: options.label }) };
  } catch (error) {
    if (!isAuthorityError(error)) throw error;
    await write(io.stderr, `stella token create: ${error.message}\n`);
    return EXIT.usage;
  }
  return withStore(io, options, async (store) => {
    try {
      const issued = await new Authority(store).issue(request);
      if (options.json === true) {
        await write(io.stdout, `${JSON.stringify(issued, null, 2)}\n`);
      } else {
        await write(io.stdout, `${issued.token}\n`);
        await write(io.stderr, `token ${issued.hash} (${issued.label}): ${issued.scopes.join(',')}, expires ${issued.expiresAt}\n`);
      }
      return EXIT.ok;
    } catch (error) {
      return failed(io, 'create', error, isAuthorityError);
    }
  });
}

async function list(io: CliIo, options: ListOptions): Promise<number> {
  const { Authority } = await server();
  return withStore(io, options, async (store) => {
    const tokens = await new Authority(store).list();
    if (options.json === true) {
      await write(io.stdout, `${JSON.stringify({ tokens }, null, 2)}\n`);
      return EXIT.ok;
    }
    await write(io.stdout, table(tokens));
    return EXIT.ok;
  });
}

async function revoke(io: CliIo, reference: string, options: StoreOptions): Promise<number> {
  const { Authority, isAuthorityError } = await server();
  const ref = reference === '-' ? (await readAll(io.stdin)).trim() : reference;
  return withStore(io, options, async (store) => {
    try {
      const revoked = await new Authority(store).revoke(ref);
      await write(io.stdout, `${JSON.stringify(revoked, null, 2)}\n`);
      return EXIT.ok;
    } catch (error) {
      return failed(io, 'revoke', error, isAuthorityError);
    }
  });
}

async function failed(io: CliIo, command: string, error: unknown, isAuthorityError: (e: unknown) => e is AuthorityError): Promise<number> {
  if (!isAuthorityError(error)) throw error;
  await write(io.stderr, `stella token ${command}: ${error.message}\n`);
  return error.code === 'TOKEN_NOT_FOUND' ? EXIT.failure : EXIT.usage;
}

function table(tokens: readonly TokenInfo[]): string {
  const rows = [['HASH', 'LABEL', 'SCOPES', 'EXPIRES', 'REVOKED']];
  for (const t of tokens) rows.push([t.hash.slice(0, 16), t.label, t.scopes.join(','), t.expiresAt, t.revokedAt ?? '-']);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return `${rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n')}\n`;
}
