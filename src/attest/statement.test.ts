import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttestError, inTotoStatement, parseStatement, preAuthEncoding, statementBytes } from './index.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

test('PAE is exactly the DSSE spec encoding (protocol.md example)', () => {
  assert.equal(preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world')).toString(),
    'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  assert.equal(preAuthEncoding('', Buffer.alloc(0)).toString(), 'DSSEv1 0  0 ');
});

test('PAE lengths count bytes, not characters', () => {
  const pae = preAuthEncoding('tÿpe', Buffer.from('é€', 'utf8'));
  assert.deepEqual(pae, Buffer.concat([Buffer.from('DSSEv1 5 tÿpe 5 ', 'utf8'), Buffer.from('é€', 'utf8')]));
});

test('a statement is in-toto v1 with subjects sorted by name and predicate keys sorted: same input, same bytes', () => {
  const one = inTotoStatement([{ name: 'z/file', sha256: A }, { name: 'B', sha256: B }, { name: 'a', sha256: A }],
    'https://slsa.dev/provenance/v1', { z: 1, a: { y: [{ d: 1, c: 2 }], b: 2 } });
  const two = inTotoStatement([{ name: 'a', sha256: A }, { name: 'z/file', sha256: A }, { name: 'B', sha256: B }],
    'https://slsa.dev/provenance/v1', { a: { b: 2, y: [{ c: 2, d: 1 }] }, z: 1 });
  assert.deepEqual(statementBytes(one), statementBytes(two));
  assert.equal(statementBytes(one).toString(),
    '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"B","digest":{"sha256":"' + B + '"}},' +
    '{"name":"a","digest":{"sha256":"' + A + '"}},{"name":"z/file","digest":{"sha256":"' + A + '"}}],' +
    '"predicateType":"https://slsa.dev/provenance/v1","predicate":{"a":{"b":2,"y":[{"c":2,"d":1}]},"z":1}}');
  assert.deepEqual(parseStatement(statementBytes(one)), JSON.parse(statementBytes(one).toString()));
});

test('bad subjects are typed errors: non-hex digest, upper-case hex, a name twice, empty predicate type', () => {
  const bad = (subjects: Array<{ name: string; sha256: string }>, type = 'https://x') =>
    assert.throws(() => inTotoStatement(subjects, type, {}), (e: AttestError) => e.code === 'BAD_INPUT');
  bad([{ name: 'a', sha256: 'xyz' }]);
  bad([{ name: 'a', sha256: A.toUpperCase() }]);
  bad([{ name: 'a', sha256: A }, { name: 'a', sha256: B }]);
  bad([], '');
});

test('parseStatement says why a payload is not a statement', () => {
  assert.match(parseStatement(Buffer.from('nope')) as string, /not JSON/);
  assert.match(parseStatement(Buffer.from('{"_type":"https://in-toto.io/Statement/v0.1","subject":[]}')) as string, /not an in-toto Statement v1/);
  assert.match(parseStatement(Buffer.from('{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a"}]}')) as string, /no name or sha256/);
});
