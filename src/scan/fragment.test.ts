import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { ALL_ANALYZERS } from '../catalog/index.js';
import { walkLayer } from '../image/index.js';
import { buildLayerTar } from '../../test/support/image-builder.js';
import { FragmentBuilder, buildFragment, maxFileSizeFor, wantedBy } from './fragment.js';

const stanza = (name: string) => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n`;

test('streamed analysis equals analysis of kept files, with replacement, removal and hardlinks in one layer', async () => {
  const tar = await buildLayerTar([
    { path: 'var/lib/dpkg/status.d/a', content: stanza('a-old') },
    { path: 'var/lib/dpkg/status.d/a', content: stanza('a') },
    { path: 'var/lib/dpkg/status.d/b', content: stanza('b') },
    { path: 'var/lib/dpkg/status.d/b', type: 'symlink', linkname: 'a' },
    { path: 'var/lib/dpkg/status.d/c', type: 'hardlink', linkname: 'var/lib/dpkg/status.d/a' },
  ]);
  const options = { layerId: 'sha256:l', wants: wantedBy(ALL_ANALYZERS), maxFileSize: maxFileSizeFor(ALL_ANALYZERS) };
  const kept = buildFragment('sha256:l', await walkLayer(Readable.from([tar]), options), ALL_ANALYZERS);
  const builder = new FragmentBuilder('sha256:l', ALL_ANALYZERS);
  const raw = await walkLayer(Readable.from([tar]), { ...options, consumer: builder });
  assert.equal(raw.files.size, 0, 'a streaming walk keeps no file contents');
  const streamed = builder.finish(raw);
  assert.deepEqual(streamed, kept);
  assert.deepEqual(streamed.files.map((f) => [f.path, f.result.packages?.map((p) => p.name)]), [
    ['/var/lib/dpkg/status.d/a', ['a']],
    ['/var/lib/dpkg/status.d/c', ['a']],
  ]);
  assert.deepEqual(streamed.symlinks, [['/var/lib/dpkg/status.d/b', 'a']]);
});
