import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { OsvMatch, OsvRecord, PackageRef } from '../../match/index.js';
import { EXIT, write, type CliIo } from '../io.js';

const SAMPLES = fileURLToPath(new URL('../../../samples/', import.meta.url));

interface CheckOptions {
  advisories: string;
  inventory: string;
  format: string;
  exitCode?: string;
}

export function registerCheck(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('check')
    .description('check packages (purls) against OSV advisory records, offline')
    .option('--advisories <dir>', 'directory of OSV JSON records', join(SAMPLES, 'advisories', 'osv'))
    .option('--inventory <file>', 'file with one purl per line (# comments)', join(SAMPLES, 'inventory.txt'))
    .option('--format <format>', 'table or json', 'table')
    .option('--exit-code <n>', 'exit with this status when any package is affected')
    .action(async (options: CheckOptions) => setExit(await check(io, options)));
}

async function check(io: CliIo, options: CheckOptions): Promise<number> {
  if (options.format !== 'table' && options.format !== 'json') {
    await write(io.stderr, `stella check: unknown format ${JSON.stringify(options.format)} (table or json)\n`);
    return EXIT.usage;
  }
  const problems: string[] = [];
  // Loaded when the command runs, not at CLI start.
  const { matchOsv, packageFromPurl } = await import('../../match/index.js');
  const packages = readInventory(options.inventory, problems, packageFromPurl);
  const records = readRecords(options.advisories, problems);
  for (const problem of problems) await write(io.stderr, `stella check: ${problem}\n`);
  await write(io.stderr, `stella check: ${packages.length} packages, ${records.length} advisories\n`);
  const matches = matchOsv(packages, records);
  await write(io.stdout, options.format === 'json' ? `${JSON.stringify(matches, null, 2)}\n` : table(matches));
  if (options.exitCode !== undefined && matches.length > 0) return Number(options.exitCode);
  return problems.length > 0 ? EXIT.invalidInput : EXIT.ok;
}

// One bad line is reported and skipped; the rest are still checked.
function readInventory(path: string, problems: string[], packageFromPurl: (purl: string) => PackageRef): PackageRef[] {
  const packages: PackageRef[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    try {
      packages.push(packageFromPurl(line));
    } catch (error) {
      problems.push(`${path}:${index + 1}: ${(error as Error).message}`);
    }
  });
  return packages;
}

function readRecords(dir: string, problems: string[]): OsvRecord[] {
  const records: OsvRecord[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    try {
      const record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as OsvRecord;
      if (typeof record.id !== 'string') throw new Error('not an OSV record: no "id"');
      records.push(record);
    } catch (error) {
      problems.push(`${join(dir, name)}: ${(error as Error).message}`);
    }
  }
  return records;
}

function table(matches: OsvMatch[]): string {
  if (matches.length === 0) return 'No affected packages.\n';
  const rows = [['SEVERITY', 'ID', 'PACKAGE', 'INSTALLED', 'FIXED IN', 'STATUS', 'SUMMARY']];
  for (const m of matches) {
    const severity = m.score === undefined ? m.severity : `${m.severity} ${m.score.toFixed(1)}`;
    const id = m.aliases.find((a) => a.startsWith('CVE-')) ?? m.id;
    rows.push([severity, id === m.id ? m.id : `${id} (${m.id})`, m.package.name, m.package.version, m.fixed.join(', ') || '-', m.verdict, m.summary.slice(0, 60)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return `${rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n')}\n`;
}
