import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeText, parseStanzas } from './stanza.js';

describe('parseStanzas', () => {
  it('reads fields case-insensitively, with continuation lines joined by newlines', () => {
    const { stanzas, fieldLines } = parseStanzas('Package: a\nDescription: short\n long line\n .\nversion:  1.0  \n');
    assert.equal(fieldLines, 3);
    assert.equal(stanzas.length, 1);
    assert.equal(stanzas[0]?.fields.get('description'), 'short\n long line\n .');
    assert.equal(stanzas[0]?.fields.get('version'), '1.0');
    assert.equal(stanzas[0]?.error, undefined);
  });

  it('splits on runs of blank lines, white-space-only lines and CRLF, and numbers stanzas by line', () => {
    const { stanzas } = parseStanzas('\r\n\r\nA: 1\r\n\r\n \t\r\n\r\nA: 2');
    assert.deepEqual(stanzas.map((s) => [s.line, s.fields.get('a')]), [[3, '1'], [7, '2']]);
  });

  it('marks a stanza with a duplicate field, a line without colon or a leading continuation as broken', () => {
    const { stanzas } = parseStanzas('A: 1\nA: 2\n\nno colon here\nB: 1\n\n cont\nC: 1\n');
    assert.match(stanzas[0]?.error ?? '', /duplicate field "A"/);
    assert.match(stanzas[1]?.error ?? '', /line 4: expected "Field: value"/);
    assert.equal(stanzas[1]?.fields.get('b'), '1');
    assert.match(stanzas[2]?.error ?? '', /continuation line before any field/);
  });

  it('gives nothing for empty text', () => {
    assert.deepEqual(parseStanzas(''), { stanzas: [], fieldLines: 0 });
  });
});

describe('decodeText', () => {
  it('drops a byte-order mark and refuses binary content', () => {
    assert.equal(decodeText(Buffer.from('\ufeffA: 1')), 'A: 1');
    assert.equal(decodeText(Buffer.from([0x41, 0x00])), undefined);
  });
});
