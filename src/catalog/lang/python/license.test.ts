import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { licenseOf, normalizePythonLicense } from './license.js';
import { parseCoreMetadata } from './metadata.js';

describe('normalizePythonLicense', () => {
  // Texts seen in Debian 12's dist-packages and on PyPI, and what they normalize to.
  const cases: [string, string | undefined][] = [
    ['MIT', 'MIT'],
    ['mit', 'MIT'],
    ['MIT License', 'MIT'],
    ['Apache 2.0', 'Apache-2.0'],
    ['Apache License, Version 2.0', 'Apache-2.0'],
    ['BSD-3-Clause OR Apache-2.0', 'BSD-3-Clause OR Apache-2.0'],
    ['(MIT OR Apache-2.0) AND BSD-3-Clause', '(MIT OR Apache-2.0) AND BSD-3-Clause'],
    ['Expat (MIT/X11)', 'MIT'],
    ['GPLv2+', 'GPL-2.0-or-later'],
    ['BSD 3-Clause', 'BSD-3-Clause'],
    // No version in the text: not guessed.
    ['BSD', undefined],
    ['BSD License', undefined],
    ['Apache Software License', undefined],
    ['LGPL', undefined],
    ['GNU LGPL', undefined],
    ['PSF or ZPL', undefined],
    ['Dual License', undefined],
    ['MIT\n\nCopyright (c) someone', undefined],
  ];
  for (const [raw, expected] of cases) {
    it(`${JSON.stringify(raw)} → ${expected ?? 'not SPDX'}`, () => assert.equal(normalizePythonLicense(raw), expected));
  }
});

describe('licenseOf', () => {
  const of = (headers: string) => licenseOf(parseCoreMetadata(`Name: x\nVersion: 1\n${headers}`));

  it('maps versioned classifiers, each once, and keeps unmapped ones raw when nothing maps', () => {
    assert.deepEqual(of('Classifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: MIT License\n'), { licenses: ['MIT'] });
    assert.deepEqual(of('Classifier: License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)\nClassifier: Programming Language :: Python\n'),
      { licenses: ['GPL-3.0-or-later'] });
    assert.deepEqual(of('Classifier: License :: OSI Approved :: BSD License\n'), { raw: 'BSD License' });
  });

  it('lets License-Expression win over License and classifiers, and keeps an invalid one raw', () => {
    assert.deepEqual(of('License-Expression: MIT\nLicense: GPL\nClassifier: License :: OSI Approved :: Apache Software License\n'), { licenses: ['MIT'] });
    assert.deepEqual(of('License-Expression: LicenseRef-Proprietary AND\n'), { raw: 'LicenseRef-Proprietary AND' });
  });

  it('reports nothing when nothing is said', () => {
    assert.deepEqual(of(''), {});
    assert.deepEqual(of('License: UNKNOWN\n'), {});
  });
});
