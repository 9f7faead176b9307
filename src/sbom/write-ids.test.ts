import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, uuidV5 } from './write-ids.js';

test('uuidV5 matches RFC 4122 name-based UUIDs (vectors from Python uuid.uuid5)', () => {
  assert.equal(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  assert.equal(uuidV5('https://stella-ops.org/ü', '6ba7b811-9dad-11d1-80b4-00c04fd430c8'), '96d234cc-7d73-5e0f-addc-15efd0b5a5fc');
  assert.match(uuidV5('anything'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('canonicalJson sorts keys at every depth, keeps array order, drops undefined, ends with a newline', () => {
  const text = canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }, 3], c: undefined }, '@id': 'x' });
  assert.equal(text, '{\n  "@id": "x",\n  "a": {\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      },\n      3\n    ]\n  },\n  "b": 1\n}\n');
});
