import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Inventory } from '../../inventory/index.js';
import type { Finding } from '../../match/index.js';
import type { FilterOptions, ReportFormat } from '../../report/index.js';
import type { ScanProgress } from '../../scan/index.js';
import { EXIT, write, type CliIo } from '../io.js';

// The heavy modules load when a scan runs, not when the CLI starts (a warm scan is a whole process).
const reportModule = () => import('../../report/index.js');
const sbomModule = () => import('../../sbom/index.js');
const scanModule = () => import('../../scan/index.js');
const storeModule = () => import('../../store/index.js');

const REPORTS = ['table', 'json', 'cyclonedx', 'sarif', 'trivy-json'] as const;
const PACKAGE_ONLY = ['spdx-json', 'spdx3-json', 'inventory-json'] as const;
const FORMATS = [...REPORTS, ...PACKAGE_ONLY] as const;
type ScanFormat = (typeof FORMATS)[number];

/** Version of our own JSON inventory schema (`--format inventory-json`; docs in README "Scanning"). */
export const INVENTORY_SCHEMA_VERSION = 1;

interface ScanCliOptions {
  format: string;
  output?: string;
  platform?: string;
  offline?: boolean;
  cache: boolean;
  quiet?: boolean;
  advisories?: string;
  databaseUrl?: string;
  severity?: string;
  ignoreUnfixed?: boolean;
  ignoreFile?: string;
  vex?: string;
  exitCode?: string;
}

export function registerScan(program: Command, io: CliIo, setExit: (code: number) => void, version: string): void {
  program
    .command('scan')
    .description('scan an image, root filesystem or SBOM for packages and vulnerabilities: docker-archive:F, oci-dir:D, oci-archive:F, dir:D, registry:REF, sbom:F or a path')
    .argument('<target>', 'what to scan')
    .option('--format <format>', `one of ${FORMATS.join(', ')}`, 'table')
    .option('--output <file>', 'write the result to this file instead of stdout')
    .option('--advisories <dir>', 'offline advisory snapshot laid out by source (osv/, ghsa/, nvd/) instead of the store')
    .option('--database-url <url>', 'advisory store (default: $STELLA_DATABASE_URL, else SQLite under $STELLA_HOME)')
    .option('--severity <list>', 'report only these severities, e.g. CRITICAL,HIGH')
    .option('--ignore-unfixed', 'drop vulnerabilities that have no fixed version')
    .option('--ignore-file <file>', 'ids to ignore (.trivyignore text or YAML; optional expiry dates)')
    .option('--vex <file>', 'OpenVEX 0.2 document: not_affected / fixed statements suppress findings')
    .option('--exit-code <n>', 'exit with this status when findings remain after filtering')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform index', 'linux/amd64')
    .option('--offline', 'never contact a registry')
    .option('--no-cache', 'neither read nor write the per-layer cache')
    .option('--quiet', 'no progress on stderr')
    .action(async (target: string, options: ScanCliOptions) => setExit(await scan(io, target, options, version)));
}

function created(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return epoch !== undefined && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

export function inventoryJson(inventory: Inventory): string {
  return `${JSON.stringify({ schemaVersion: INVENTORY_SCHEMA_VERSION, ...inventory }, null, 2)}\n`;
}

async function inventoryOf(io: CliIo, target: string, options: ScanCliOptions): Promise<Inventory> {
  const { defaultStellaHome, scanInventory } = await scanModule();
  if (target.startsWith('sbom:')) {
    const file = target.slice('sbom:'.length);
    return scanInventory({ kind: 'sbom', bytes: readFileSync(file), name: file }, { stellaHome: defaultStellaHome() });
  }
  const onProgress = options.quiet === true ? undefined : (p: ScanProgress) => {
    io.stderr.write(`layer ${p.layer}/${p.layers} ${p.diffId.slice(0, 19)}${p.cached ? ' (cached)' : ''}\n`);
  };
  return scanInventory({ kind: 'image', path: target }, {
    stellaHome: defaultStellaHome(), platform: options.platform, offline: options.offline, cache: options.cache, onProgress,
  });
}

async function findingsOf(io: CliIo, inventory: Inventory, options: ScanCliOptions, now: Date): Promise<{ findings: Finding[]; advisoryCount: number }> {
  const { defaultStellaHome, matchInventory } = await scanModule();
  if (options.advisories !== undefined) {
    return matchInventory(inventory, { advisoriesDir: options.advisories, now: () => now, stellaHome: defaultStellaHome() });
  }
  const { openStore } = await storeModule();
  const store = await openStore({
    ...(options.databaseUrl === undefined ? {} : { url: options.databaseUrl }),
    stellaHome: defaultStellaHome(),
  });
  try {
    const counts = await store.countAdvisories();
    if (counts.total === 0) {
      await write(io.stderr, 'stella scan: WARNING: the advisory store is empty: run `stella db fetch … --merge` or pass --advisories <dir>; no vulnerabilities can be reported\n');
    }
    return await matchInventory(inventory, { store, now: () => now, stellaHome: defaultStellaHome() });
  } finally {
    await store.close();
  }
}

async function filterOptions(options: ScanCliOptions, now: Date, target: string): Promise<FilterOptions> {
  const { parseIgnoreFile, parseOpenVex, parseSeverities } = await reportModule();
  return {
    now,
    target,
    ...(options.severity === undefined ? {} : { severities: parseSeverities(options.severity) }),
    ...(options.ignoreUnfixed === true ? { ignoreUnfixed: true } : {}),
    ...(options.ignoreFile === undefined ? {} : { ignore: parseIgnoreFile(readFileSync(options.ignoreFile, 'utf8'), options.ignoreFile) }),
    ...(options.vex === undefined ? {} : { vex: parseOpenVex(readFileSync(options.vex, 'utf8'), options.vex) }),
  };
}

async function scan(io: CliIo, target: string, options: ScanCliOptions, version: string): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    await write(io.stderr, `stella scan: unknown format ${JSON.stringify(options.format)}; one of ${FORMATS.join(', ')}\n`);
    return EXIT.usage;
  }
  const exitCode = options.exitCode === undefined ? undefined : Number(options.exitCode);
  if (exitCode !== undefined && !(Number.isInteger(exitCode) && exitCode >= 0 && exitCode <= 255)) {
    await write(io.stderr, 'stella scan: --exit-code wants a whole number from 0 to 255\n');
    return EXIT.usage;
  }
  const format = options.format as ScanFormat;
  const now = created();
  let filters: FilterOptions;
  try {
    filters = await filterOptions(options, now, target);
  } catch (error) {
    await write(io.stderr, `stella scan: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  let inventory: Inventory;
  try {
    inventory = await inventoryOf(io, target, options);
  } catch (error) {
    await write(io.stderr, `stella scan: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  for (const issue of inventory.issues) {
    await write(io.stderr, `stella scan: ${issue.code}: ${issue.message}${issue.path ? ` (${issue.path})` : ''}\n`);
  }
  let text: string;
  let kept: readonly Finding[] = [];
  const { exitCodeFor, filterFindings, writeReport } = await reportModule();
  if (format === 'inventory-json') {
    text = inventoryJson(inventory);
  } else if ((PACKAGE_ONLY as readonly string[]).includes(format)) {
    const { writeSbom } = await sbomModule();
    text = writeSbom(inventory, format as 'spdx-json' | 'spdx3-json', { created: now, toolVersion: version });
  } else {
    let matched: { findings: Finding[]; advisoryCount: number };
    try {
      matched = await findingsOf(io, inventory, options, now);
    } catch (error) {
      await write(io.stderr, `stella scan: advisory data: ${(error as Error).message}\n`);
      return EXIT.failure;
    }
    const { findings, advisoryCount } = matched;
    const filtered = filterFindings(findings, filters);
    kept = filtered.kept;
    if (options.quiet !== true) {
      await write(io.stderr, `stella scan: ${inventory.packages.length} packages, ${advisoryCount} candidate advisories, ${findings.length} findings, ${filtered.kept.length} after filters\n`);
    }
    text = writeReport(format as ReportFormat, {
      inventory, findings: filtered.kept, suppressed: filtered.suppressed, target, created: now, toolVersion: version,
    });
  }
  if (options.output !== undefined) writeFileSync(options.output, text);
  else await write(io.stdout, text);
  const gate = exitCodeFor(kept, exitCode);
  if (gate !== 0) return gate;
  return inventory.issues.length > 0 ? EXIT.invalidInput : EXIT.ok;
}
