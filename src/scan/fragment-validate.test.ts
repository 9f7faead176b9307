import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { isScanError } from './errors.js';
import type { LayerFragment } from './fragment.js';
import { parseLayerFragment } from './fragment-validate.js';
import { scanImage } from './scan.js';

const IMAGE = `docker-archive:${join(import.meta.dirname, '..', '..', 'samples', 'sample-image.tar')}`;

async function sampleFragments(): Promise<LayerFragment[]> {
  const out: LayerFragment[] = [];
  await scanImage(IMAGE, { fragments: { get: () => undefined, put: (f) => void out.push(f) } });
  return out;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

test("the scanner's own fragments pass and come back unchanged", async () => {
  const fragments = await sampleFragments();
  assert.equal(fragments.length, 3);
  for (const f of fragments) assert.deepEqual(parseLayerFragment(clone(f), { layer: f.layer, analyzers: f.analyzers }), clone(f));
});

test('a fragment of another shape, layer or analyzers is refused with a path to the problem', async () => {
  const [f] = (await sampleFragments()).filter((x) => x.files.some((file) => (file.result.packages ?? []).length > 0));
  assert.ok(f);
  const expect = { layer: f.layer, analyzers: f.analyzers };
  const bad = (mutate: (x: Record<string, unknown> & LayerFragment) => void, message: RegExp, code = 'BAD_FRAGMENT') => {
    const x = clone(f) as Record<string, unknown> & LayerFragment;
    mutate(x);
    assert.throws(() => parseLayerFragment(x, expect), (e: unknown) => isScanError(e) && e.code === code && message.test(e.message));
  };
  bad((x) => { x.extra = 1; }, /fragment: unknown key "extra"/);
  bad((x) => { (x as { schema: number }).schema = 1; }, /fragment\.schema: expected 2/);
  bad((x) => { (x as { layer: string }).layer = `sha256:${'0'.repeat(64)}`; }, /fragment\.layer: expected sha256:/);
  bad((x) => { (x as { analyzers: string }).analyzers = 'dpkg@0'; }, /this server runs/, 'FRAGMENT_ANALYZERS');
  bad((x) => { (x.files[0] as { path: string }).path = 'srv/app'; }, /fragment\.files\[0\]\.path: expected an absolute, normalized path/);
  bad((x) => { (x as unknown as { whiteouts: string[] }).whiteouts = ['/srv/../etc']; }, /fragment\.whiteouts\[0\]/);
  bad((x) => { (x.files[0] as { analyzer: string }).analyzer = 'made-up'; }, /not one of the fragment's analyzers/);
  bad((x) => {
    const pkg = (x.files.find((file) => (file.result.packages ?? []).length > 0)!.result.packages as unknown as { type: string }[])[0]!;
    pkg.type = 'exe';
  }, /unknown package type "exe"/);
  bad((x) => { (x as { symlinks: unknown }).symlinks = [['/a']]; }, /fragment\.symlinks\[0\]: expected \[path, target\]/);
  bad((x) => { (x as { issues: unknown }).issues = [{ code: 'X' }]; }, /fragment\.issues\[0\]: missing "message"/);

  // A "__proto__" property key stays a plain key, never a prototype.
  const x = clone(f);
  const file = x.files.find((entry) => (entry.result.packages ?? []).length > 0)!;
  const pkg = (file.result.packages as unknown as Record<string, unknown>[])[0]!;
  pkg.properties = JSON.parse('{"__proto__": "x", "stella:a": "b"}') as Record<string, string>;
  const parsed = parseLayerFragment(x, expect);
  const props = parsed.files.find((entry) => entry.path === file.path)!.result.packages![0]!.properties!;
  assert.deepEqual(Object.keys(props).sort(), ['__proto__', 'stella:a']);
  assert.equal(Object.getPrototypeOf(props), Object.prototype);
});
