import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { writeOciLayout } from '../support/image-builder.js';
import { ALL_ANALYZERS } from '../../src/catalog/index.js';
import { scanImage } from '../../src/scan/index.js';
import { synthElf } from '../../src/catalog/lang/binary/synth.js';
import { cargoAuditableAnalyzer } from '../../src/catalog/lang/rust/auditable.js';
import { cargoLockAnalyzer } from '../../src/catalog/lang/rust/cargo-lock.js';

// The real cargo-auditable binary (root vulnerable-binary 0.1.0, dep rustsec-example-crate 0.0.1),
// a synthesized second binary of the same project that also links extra-crate, and a lock file for
// the project written here (checksums are placeholders, not crates.io's).
const REAL = readFileSync(new URL('../../src/catalog/lang/testdata/rust/auditable-elf/binary-with-vuln', import.meta.url));
const SECOND = synthElf(64, true, [{ name: '.dep-v0', addr: 0, data: deflateSync(JSON.stringify({ packages: [
  { name: 'extra-crate', version: '2.0.0', source: 'crates.io' },
  { name: 'vulnerable-binary', version: '0.1.0', source: 'local', dependencies: [0], root: true },
] })) }]);
const LOCK = `version = 4

[[package]]
name = "extra-crate"
version = "2.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "${'b'.repeat(64)}"

[[package]]
name = "rustsec-example-crate"
version = "0.0.1"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "${'a'.repeat(64)}"

[[package]]
name = "vulnerable-binary"
version = "0.1.0"
dependencies = ["extra-crate", "rustsec-example-crate"]
`;

describe('Rust through an image scan', () => {
  let root: string;
  const analyzers = [...ALL_ANALYZERS, cargoLockAnalyzer, cargoAuditableAnalyzer];
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'stella-rust-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('the lock only enriches installed crates; a whited-out binary takes its crates along', async () => {
    const oci = join(root, 'oci');
    await writeOciLayout(oci, [{ layers: [
      { entries: [
        { path: 'src/vulnerable-binary/Cargo.lock', content: LOCK },
        { path: 'usr/local/bin/vulnerable-binary', content: REAL, mode: 0o755 },
        { path: 'usr/local/bin/second', content: SECOND, mode: 0o755 },
      ] },
      { entries: [{ path: 'usr/local/bin/.wh.second', content: '' }] },
    ] }]);
    const inventory = await scanImage(`oci-dir:${oci}`, { cache: false, analyzers });
    const cargo = inventory.packages.filter((p) => p.type === 'cargo');
    assert.deepEqual(cargo.map((p) => `${p.purl} ${p.location} ${p.properties?.['stella:evidence']}`), [
      'pkg:cargo/rustsec-example-crate@0.0.1 /usr/local/bin/vulnerable-binary installed',
      'pkg:cargo/vulnerable-binary@0.1.0 /usr/local/bin/vulnerable-binary installed',
    ]);
    assert.equal(cargo[0]?.properties?.['stella:integrity'], `sha256:${'a'.repeat(64)}`);
    assert.equal(cargo[0]?.properties?.['stella:resolved'], 'registry+https://github.com/rust-lang/crates.io-index');
    assert.equal(cargo[0]?.layer, inventory.image?.layers[0]?.diffId);
  });

  it('a dir: source tree with only a Cargo.lock reports its crates as declared', async () => {
    const dir = join(root, 'tree');
    mkdirSync(join(dir, 'src/app'), { recursive: true });
    writeFileSync(join(dir, 'src/app/Cargo.lock'), LOCK);
    const tree = await scanImage(`dir:${dir}`, { cache: false, analyzers });
    assert.deepEqual(tree.packages.map((p) => `${p.purl} ${p.properties?.['stella:evidence']}`), [
      'pkg:cargo/extra-crate@2.0.0 declared',
      'pkg:cargo/rustsec-example-crate@0.0.1 declared',
      'pkg:cargo/vulnerable-binary@0.1.0 declared',
    ]);
  });
});
