import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { pack as tarPack, extract as tarExtract, type Header } from 'tar-stream';

/*
 * Why maintainer scripts are removed before dpkg sees a package: `dpkg --root=DIR --unpack` runs
 * each new package's preinst (and, on failure, its postrm), chrooted into DIR — checked with
 * dpkg 1.21: base-passwd's preinst fails with "unable to execute … /var/lib/dpkg/tmp.ci/preinst"
 * on an empty DIR. So either the scripts run (inside a half-built chroot, as root, needing a shell
 * and libc there first, and with `--force-script-chrootless` on the host itself), or they do not
 * exist. We take the second: the package is repacked with the same debian-binary and data.tar
 * members, byte for byte, and a control.tar without preinst/postinst/prerm/postrm/config. dpkg then
 * writes the status database itself from the unchanged control file, and no script can run.
 */

const SCRIPTS = new Set(['preinst', 'postinst', 'prerm', 'postrm', 'config']);
const AR_MAGIC = '!<arch>\n';

interface ArMember {
  readonly name: string;
  readonly data: Buffer;
}

function readAr(file: string): ArMember[] {
  const bytes = readFileSync(file);
  if (bytes.toString('latin1', 0, 8) !== AR_MAGIC) throw new Error(`${file} is not an ar archive (.deb)`);
  const members: ArMember[] = [];
  for (let at = 8; at + 60 <= bytes.length;) {
    const name = bytes.toString('latin1', at, at + 16).trim().replace(/\/$/, '');
    const size = Number.parseInt(bytes.toString('latin1', at + 48, at + 58).trim(), 10);
    if (!Number.isFinite(size) || bytes.toString('latin1', at + 58, at + 60) !== '`\n') throw new Error(`${file}: bad ar member header at ${at}`);
    members.push({ name, data: bytes.subarray(at + 60, at + 60 + size) });
    at += 60 + size + (size % 2);
  }
  return members;
}

function arHeader(name: string, size: number): Buffer {
  const field = (value: string, width: number) => value.padEnd(width, ' ');
  return Buffer.from(`${field(name, 16)}${field('0', 12)}${field('0', 6)}${field('0', 6)}${field('100644', 8)}${field(String(size), 10)}\`\n`, 'latin1');
}

function writeAr(file: string, members: readonly ArMember[]): void {
  const parts: Buffer[] = [Buffer.from(AR_MAGIC, 'latin1')];
  for (const member of members) {
    parts.push(arHeader(member.name, member.data.length), member.data);
    if (member.data.length % 2 === 1) parts.push(Buffer.from('\n'));
  }
  writeFileSync(file, Buffer.concat(parts));
}

async function controlTarWithoutScripts(deb: string): Promise<{ tar: Buffer; removed: string[] }> {
  const plain = execFileSync('dpkg-deb', ['--ctrl-tarfile', deb], { maxBuffer: 64 * 1024 * 1024 });
  const entries: { header: Header; body: Buffer }[] = [];
  const removed: string[] = [];
  const extract = tarExtract();
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const base = entry.header.name.replace(/^\.\//, '');
      if (SCRIPTS.has(base)) removed.push(base);
      else entries.push({ header: entry.header, body: Buffer.concat(chunks) });
    }
  })();
  extract.end(plain);
  await done;
  const pack = tarPack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const { header, body } of entries) pack.entry({ ...header, size: body.length }, body);
  pack.finalize();
  await collected;
  return { tar: Buffer.concat(chunks), removed: removed.sort() };
}

/**
 * Writes `out`: the package `deb` without maintainer scripts (see above). Returns the names of the
 * scripts removed. dpkg accepts an uncompressed `control.tar` member since 1.17.6.
 */
export async function stripMaintainerScripts(deb: string, out: string): Promise<string[]> {
  const members = readAr(deb);
  const names = members.map((m) => m.name);
  const control = members.findIndex((m) => m.name.startsWith('control.tar'));
  const data = members.findIndex((m) => m.name.startsWith('data.tar'));
  if (names[0] !== 'debian-binary' || control !== 1 || data !== 2) throw new Error(`${deb}: unexpected .deb members ${names.join(', ')}`);
  const { tar, removed } = await controlTarWithoutScripts(deb);
  writeAr(out, [members[0]!, { name: 'control.tar', data: tar }, members[2]!]);
  return removed;
}
