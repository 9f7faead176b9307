import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { stripMaintainerScripts } from './debian-image-deb.js';
import { diffSnapshots, snapshot, writeLayer, type Snapshot, type WrittenLayer } from './debian-image-layers.js';
import { addLayerBlob, createLayout, skopeoCopy, writeImage } from './debian-image-oci.js';

/*
 * A real Debian 12 image for the acceptance test, built from real .deb packages (downloaded
 * beforehand by scripts/fetch-test-debs.sh; tests never download). Layers follow
 * test/scan/testdata/debian-bookworm-layers.txt:
 *   1. base packages unpacked by `dpkg --root=ROOTFS --force-depends --unpack`
 *   2. more packages (dpkg rewrites /var/lib/dpkg/status) + two distroless-style status.d stanzas
 *   3. `dpkg --remove` of two packages (whiteouts; one is left in state config-files), and
 *      status.d replaced through an opaque directory (`.wh..wh..opq`) holding the first stanza only
 *   4. that stanza deleted (a whiteout, status.d/.wh.<name>)
 * No maintainer script ever runs, on the host or in a chroot: see debian-image-deb.ts.
 */

const REPO = resolve(import.meta.dirname, '..', '..');
/** Where scripts/fetch-test-debs.sh puts the packages; STELLA_TEST_DEBS overrides. */
export const DEBS_DIR = resolve(process.env.STELLA_TEST_DEBS ?? join(REPO, 'test', '.cache', 'debs'));
const PLAN_FILE = join(REPO, 'test', 'scan', 'testdata', 'debian-bookworm-layers.txt');
const TOOLS: ReadonlyArray<readonly [string, string[]]> = [['dpkg', ['--version']], ['dpkg-deb', ['--version']], ['dpkg-query', ['--version']], ['skopeo', ['--version']]];
export const IMAGE_TAG = '12';
export const DOCKER_NAME = 'stella-test/debian-bookworm:12';

export interface LayerPlan {
  readonly layer1: readonly string[];
  readonly layer2: readonly string[];
  readonly statusD: readonly string[];
  readonly remove: readonly string[];
}

export function readLayerPlan(): LayerPlan {
  const plan = { layer1: [] as string[], layer2: [] as string[], statusD: [] as string[], remove: [] as string[] };
  const steps: Record<string, string[]> = { 1: plan.layer1, 2: plan.layer2, 'status.d': plan.statusD, remove: plan.remove };
  for (const line of readFileSync(PLAN_FILE, 'utf8').split('\n')) {
    const [step, name] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (step === undefined || step === '') continue;
    const list = steps[step];
    if (list === undefined || name === undefined) throw new Error(`${PLAN_FILE}: bad line "${line}"`);
    list.push(name);
  }
  if (plan.statusD.length !== 2) throw new Error(`${PLAN_FILE}: expected two status.d packages`);
  return plan;
}

/** The .deb of each package to download, or undefined when missing. */
function debFile(name: string): string | undefined {
  if (!existsSync(DEBS_DIR)) return undefined;
  const found = readdirSync(DEBS_DIR).filter((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
  if (found.length > 1) throw new Error(`${DEBS_DIR} holds several .deb files for ${name}: ${found.join(', ')}`);
  return found[0] === undefined ? undefined : join(DEBS_DIR, found[0]);
}

/**
 * Why the Debian image cannot be built here, or undefined when it can. Locally a reason is printed
 * loudly and the caller skips; under CI=true it throws, so CI can never pass by skipping.
 */
export function debianImageUnavailable(): string | undefined {
  const reasons: string[] = [];
  for (const [tool, args] of TOOLS) {
    const probe = spawnSync(tool, args, { stdio: 'ignore' });
    if (probe.error !== undefined || probe.status !== 0) reasons.push(`required tool "${tool}" is not installed`);
  }
  if (process.getuid?.() !== 0) reasons.push('dpkg --root needs root (file ownership)');
  const plan = readLayerPlan();
  const missing = [...plan.layer1, ...plan.layer2, ...plan.statusD].filter((name) => debFile(name) === undefined);
  if (missing.length > 0) reasons.push(`.deb files missing in ${DEBS_DIR} (${missing.join(', ')}): run scripts/fetch-test-debs.sh`);
  if (reasons.length === 0) return undefined;
  const message = `Debian test image cannot be built: ${reasons.join('; ')}`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: failing instead of skipping)`);
  process.stderr.write(`\n!!! SKIPPED: ${message}\n`);
  return message;
}

export interface DebianImage {
  readonly ociDir: string;
  readonly ociTag: string;
  readonly dockerArchive: string;
  readonly ociArchive: string;
  /** The final root filesystem (all layers applied), for `dpkg-query --admindir`. */
  readonly rootfs: string;
  /** dpkg architecture of the packages (and the image config's architecture). */
  readonly architecture: string;
  /** The four layers, in order. */
  readonly layers: readonly WrittenLayer[];
  readonly plan: LayerPlan;
  readonly manifestDigest: string;
  readonly configDigest: string;
}

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.error?.message}):\n${result.stdout}${result.stderr}`);
  }
}

function dpkg(rootfs: string, log: string, args: readonly string[]): void {
  run('dpkg', [`--root=${rootfs}`, `--log=${log}`, '--force-depends', '--force-unsafe-io', ...args]);
}

/** An empty dpkg database, as dpkg expects under --root. */
function initDpkgDatabase(rootfs: string): void {
  const admin = join(rootfs, 'var', 'lib', 'dpkg');
  for (const dir of ['info', 'updates', 'triggers']) mkdirSync(join(admin, dir), { recursive: true });
  for (const file of ['status', 'available']) writeFileSync(join(admin, file), '');
}

interface Step {
  /** The config history line. */
  readonly history: string;
  /** Directories the layer replaces whole (`.wh..wh..opq`). */
  readonly opaque?: readonly string[];
  readonly apply: () => Promise<void>;
}

function debOf(name: string): string {
  const file = debFile(name);
  if (file === undefined) throw new Error(`no .deb for ${name} in ${DEBS_DIR}: run scripts/fetch-test-debs.sh`);
  return file;
}

/** The four steps of debian-bookworm-layers.txt, each applied to `rootfs` in turn. */
function layerSteps(plan: LayerPlan, workDir: string, rootfs: string): Step[] {
  const stripped = join(workDir, 'debs');
  const log = join(workDir, 'dpkg.log');
  const statusD = join(rootfs, 'var', 'lib', 'dpkg', 'status.d');
  const unpack = async (names: readonly string[]): Promise<void> => {
    mkdirSync(stripped, { recursive: true });
    const debs = await Promise.all(names.map(async (name) => {
      const out = join(stripped, basename(debOf(name)));
      await stripMaintainerScripts(debOf(name), out);
      return out;
    }));
    dpkg(rootfs, log, ['--unpack', ...debs]);
  };
  const writeStanza = (name: string): void => writeFileSync(join(statusD, name), execFileSync('dpkg-deb', ['--field', debOf(name)]));
  const [kept, hidden] = plan.statusD as [string, string];
  return [
    { history: `dpkg --unpack ${plan.layer1.join(' ')}`, apply: async () => {
      initDpkgDatabase(rootfs);
      await unpack(plan.layer1);
    } },
    { history: `dpkg --unpack ${plan.layer2.join(' ')}; status.d/{${kept},${hidden}}`, apply: async () => {
      await unpack(plan.layer2);
      mkdirSync(statusD);
      writeStanza(kept);
      writeStanza(hidden);
    } },
    { history: `dpkg --remove ${plan.remove.join(' ')}; status.d replaced by status.d/${kept}`, opaque: ['var/lib/dpkg/status.d'], apply: async () => {
      dpkg(rootfs, log, ['--no-triggers', '--remove', ...plan.remove]);
      rmSync(statusD, { recursive: true });
      mkdirSync(statusD);
      writeStanza(kept);
    } },
    { history: `rm status.d/${kept}`, apply: async () => rmSync(join(statusD, kept)) },
  ];
}

/** Builds the image under `workDir` (an existing, empty folder); takes about 10 s. */
export async function buildDebianImage(workDir: string): Promise<DebianImage> {
  const plan = readLayerPlan();
  const rootfs = join(workDir, 'rootfs');
  const architecture = execFileSync('dpkg-deb', ['--field', debOf('libc6'), 'Architecture'], { encoding: 'utf8' }).trim();
  const steps = layerSteps(plan, workDir, rootfs);
  const ociDir = join(workDir, 'oci');
  createLayout(ociDir);
  mkdirSync(rootfs);
  let lower: Snapshot = new Map();
  const layers: WrittenLayer[] = [];
  for (const [i, step] of steps.entries()) {
    await step.apply();
    const upper = snapshot(rootfs);
    const file = join(workDir, `layer${i + 1}.tar.gz`);
    const layer = await writeLayer(rootfs, diffSnapshots(lower, upper, step.opaque), file);
    addLayerBlob(ociDir, file, layer);
    layers.push(layer);
    lower = upper;
  }
  const image = writeImage(ociDir, layers, { architecture, tag: IMAGE_TAG, history: steps.map((s) => s.history) });
  const dockerArchive = join(workDir, 'debian-bookworm.docker.tar');
  const ociArchive = join(workDir, 'debian-bookworm.oci.tar');
  skopeoCopy(image, `docker-archive:${dockerArchive}:${DOCKER_NAME}`);
  skopeoCopy(image, `oci-archive:${ociArchive}:${IMAGE_TAG}`);
  return {
    ociDir, ociTag: IMAGE_TAG, dockerArchive, ociArchive, rootfs, architecture, layers, plan,
    manifestDigest: image.manifestDigest, configDigest: image.configDigest,
  };
}

export interface DpkgQueryRow {
  /** `${binary:Package}`: name, or name:arch for Multi-Arch: same / foreign-arch packages. */
  readonly name: string;
  readonly version: string;
  /** `${db:Status-Status}`: installed, unpacked, config-files… */
  readonly status: string;
  readonly sourceName: string;
  readonly sourceVersion: string;
}

/** What the host's `dpkg-query -W` says about the root filesystem's database. */
export function dpkgQuery(rootfs: string): DpkgQueryRow[] {
  const format = '${binary:Package}\\t${Version}\\t${db:Status-Status}\\t${source:Package}\\t${source:Version}\\n';
  const out = execFileSync('dpkg-query', [`--admindir=${join(rootfs, 'var', 'lib', 'dpkg')}`, '-W', `-f=${format}`], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line !== '').map((line) => {
    const [name = '', version = '', status = '', sourceName = '', sourceVersion = ''] = line.split('\t');
    return { name, version, status, sourceName, sourceVersion };
  });
}
