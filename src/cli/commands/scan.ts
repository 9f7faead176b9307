import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { scanImage, type ScanProgress } from '../../scan/index.js';
import { writeSbom } from '../../sbom/index.js';
import type { Inventory } from '../../inventory/index.js';
import { EXIT, write, type CliIo } from '../io.js';

const FORMATS = ['json', 'cyclonedx', 'spdx-json', 'spdx3-json'] as const;
type ScanFormat = (typeof FORMATS)[number];

/** Version of our own JSON inventory schema (docs in README "Scanning"). */
export const INVENTORY_SCHEMA_VERSION = 1;

interface ScanCliOptions {
  format: string;
  output?: string;
  platform?: string;
  offline?: boolean;
  cache: boolean;
  quiet?: boolean;
}

export function registerScan(program: Command, io: CliIo, setExit: (code: number) => void, version: string): void {
  program
    .command('scan')
    .description('scan an image or root filesystem: docker-archive:F, oci-dir:D, oci-archive:F, dir:D, registry:REF or a path')
    .argument('<target>', 'what to scan')
    .option('--format <format>', `one of ${FORMATS.join(', ')}`, 'json')
    .option('--output <file>', 'write the result to this file instead of stdout')
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

function render(inventory: Inventory, format: ScanFormat, version: string): string {
  if (format === 'json') return inventoryJson(inventory);
  return writeSbom(inventory, format, { created: created(), toolVersion: version });
}

async function scan(io: CliIo, target: string, options: ScanCliOptions, version: string): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    await write(io.stderr, `stella scan: unknown format ${JSON.stringify(options.format)}; one of ${FORMATS.join(', ')}\n`);
    return EXIT.usage;
  }
  const onProgress = options.quiet === true ? undefined : (p: ScanProgress) => {
    io.stderr.write(`layer ${p.layer}/${p.layers} ${p.diffId.slice(0, 19)}${p.cached ? ' (cached)' : ''}\n`);
  };
  let inventory: Inventory;
  try {
    inventory = await scanImage(target, { platform: options.platform, offline: options.offline, cache: options.cache, onProgress });
  } catch (error) {
    await write(io.stderr, `stella scan: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  for (const issue of inventory.issues) {
    await write(io.stderr, `stella scan: ${issue.code}: ${issue.message}${issue.path ? ` (${issue.path})` : ''}\n`);
  }
  const text = render(inventory, options.format as ScanFormat, version);
  if (options.output !== undefined) writeFileSync(options.output, text);
  else await write(io.stdout, text);
  return inventory.issues.length > 0 ? EXIT.invalidInput : EXIT.ok;
}
