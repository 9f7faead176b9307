import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseKey, groupByAlias, idScheme, normalizeAdvisoryId, type AliasNode } from './alias-graph.js';
import { shuffle } from '../../test/support/shuffle.js';

function node(ref: string, id: string, aliases: string[] = [], upstream: string[] = []): AliasNode {
  return { ref, id, aliases, upstream };
}


describe('normalizeAdvisoryId', () => {
  it('upper-cases well-known prefixes and writes GHSA ids as GitHub does', () => {
    assert.equal(normalizeAdvisoryId(' cve-2020-8203 '), 'CVE-2020-8203');
    assert.equal(normalizeAdvisoryId('ghsa-P6MC-m468-83GW'), 'GHSA-p6mc-m468-83gw');
    assert.equal(normalizeAdvisoryId('pysec-2021-66'), 'PYSEC-2021-66');
    assert.equal(normalizeAdvisoryId('rustsec-2020-0071'), 'RUSTSEC-2020-0071');
    assert.equal(normalizeAdvisoryId('dsa-4480-1'), 'DSA-4480-1');
    assert.equal(normalizeAdvisoryId('bdu:2021-01234'), 'BDU:2021-01234');
    assert.equal(normalizeAdvisoryId('jvndb-2020-008203'), 'JVNDB-2020-008203');
  });

  it('keeps unknown ids as written, trimmed', () => {
    assert.equal(normalizeAdvisoryId('  TEMP-0000000-AbCd '), 'TEMP-0000000-AbCd');
  });
});

describe('idScheme', () => {
  it('names the scheme of each known id family', () => {
    const cases: Array<[string, string]> = [
      ['CVE-2020-8203', 'CVE'], ['cve-2021-44906', 'CVE'], ['GHSA-p6mc-m468-83gw', 'GHSA'],
      ['PYSEC-2021-66', 'PYSEC'], ['GO-2022-0969', 'GO'], ['RUSTSEC-2020-0071', 'RUSTSEC'],
      ['DSA-4480-1', 'DSA'], ['DLA-1862-1', 'DLA'], ['DTSA-190-1', 'DTSA'], ['USN-4061-1', 'USN'],
      ['RHSA-2019:1819', 'RHSA'], ['JVNDB-2020-008203', 'JVN'], ['BDU:2021-01234', 'BDU'],
      ['CNVD-2020-41234', 'CNVD'], ['CNNVD-202007-1046', 'CNNVD'], ['EUVD-2024-0001', 'EUVD'],
      ['DEBIAN-CVE-2023-1', 'DEBIAN'], ['UBUNTU-CVE-2023-1', 'UBUNTU'], ['TEMP-0000000-1', 'OTHER'],
      ['CVE-2023-XXXX', 'OTHER'],
    ];
    for (const [id, scheme] of cases) assert.equal(idScheme(id), scheme, id);
  });
});

describe('chooseKey', () => {
  it('compares CVE numbers numerically, year first', () => {
    assert.equal(chooseKey(['CVE-2021-10', 'CVE-2021-9']), 'CVE-2021-9');
    assert.equal(chooseKey(['CVE-2021-1', 'CVE-2020-99999']), 'CVE-2020-99999');
    assert.equal(chooseKey(['CVE-2021-0100', 'CVE-2021-99']), 'CVE-2021-99');
  });

  it('prefers CVE, then GHSA, then OSV-native, then Debian, USN, RHSA, regional, others', () => {
    const order = [
      'CVE-2020-8203', 'GHSA-p6mc-m468-83gw', 'PYSEC-2021-66', 'GO-2022-0969', 'RUSTSEC-2020-0071',
      'DSA-4480-1', 'DLA-1862-1', 'DTSA-190-1', 'USN-4061-1', 'RHSA-2019:1819', 'JVNDB-2020-008203',
      'BDU:2021-01234', 'CNVD-2020-41234', 'CNNVD-202007-1046', 'EUVD-2024-0001', 'TEMP-0000000-1',
    ];
    for (let i = 0; i < order.length; i++) {
      assert.equal(chooseKey(shuffle(order.slice(i), i + 1)), order[i]);
    }
  });

  it('breaks ties within a scheme lexically and normalizes its input', () => {
    assert.equal(chooseKey(['GHSA-xvch-5gv4-984h', 'GHSA-35jh-r3h4-6jhm']), 'GHSA-35jh-r3h4-6jhm');
    assert.equal(chooseKey(['ghsa-vh95-rmgr-6w4m', 'cve-2020-7598']), 'CVE-2020-7598');
  });

  it('refuses an empty list', () => {
    assert.throws(() => chooseKey([]), RangeError);
  });
});

describe('groupByAlias', () => {
  it('joins a GHSA record and the CVE it aliases (ids compared after normalization)', () => {
    const groups = groupByAlias([
      node('nvd/CVE-2020-8203', 'CVE-2020-8203'),
      node('ghsa/GHSA-p6mc-m468-83gw', 'GHSA-p6mc-m468-83gw', ['cve-2020-8203']),
      node('ghsa/GHSA-35jh-r3h4-6jhm', 'GHSA-35jh-r3h4-6jhm', ['CVE-2021-23337']),
    ]);
    assert.deepEqual(groups, [['ghsa/GHSA-p6mc-m468-83gw', 'nvd/CVE-2020-8203'], ['ghsa/GHSA-35jh-r3h4-6jhm']]);
  });

  it('joins through a single upstream id, never through several', () => {
    const groups = groupByAlias([
      node('nvd/1', 'CVE-2019-10192'),
      node('nvd/2', 'CVE-2019-10193'),
      node('osv/DEBIAN-CVE-2019-10192', 'DEBIAN-CVE-2019-10192', [], ['CVE-2019-10192']),
      node('debian/DSA-4480-1', 'DSA-4480-1', [], ['CVE-2019-10192', 'CVE-2019-10193']),
    ]);
    assert.deepEqual(groups, [['nvd/1', 'osv/DEBIAN-CVE-2019-10192'], ['nvd/2'], ['debian/DSA-4480-1']]);
  });

  it('follows aliases transitively; a component may hold several CVEs (key = the lowest)', () => {
    const groups = groupByAlias([
      node('a', 'PYSEC-2021-66', ['GHSA-aaaa-bbbb-cccc']),
      node('b', 'GHSA-aaaa-bbbb-cccc', ['CVE-2021-10']),
      node('c', 'OSV-2021-1', ['CVE-2021-9', 'CVE-2021-10']),
      node('d', 'CVE-2021-9'),
    ]);
    assert.deepEqual(groups, [['a', 'b', 'c', 'd']]);
  });

  it('never joins through a placeholder id such as CVE-2023-XXXX', () => {
    const groups = groupByAlias([
      node('foot', 'TEMP-foot', ['CVE-2023-XXXX']),
      node('wordpress', 'TEMP-wordpress', ['CVE-2023-XXXX']),
    ]);
    assert.deepEqual(groups, [['foot'], ['wordpress']]);
  });

  it('merges nodes that share a ref', () => {
    assert.deepEqual(groupByAlias([node('r', 'GO-2022-0969'), node('r', 'CVE-2022-27664')]), [['r']]);
  });

  it('gives the same result for every input order', () => {
    const nodes = [
      node('n1', 'CVE-2021-10'), node('n2', 'GHSA-35jh-r3h4-6jhm', ['CVE-2021-10']), node('n3', 'CVE-2021-9'),
      node('n4', 'DSA-1-1', [], ['CVE-2021-9', 'CVE-2021-10']), node('n5', 'USN-1-1', [], ['CVE-2021-9']),
      node('n6', 'GO-2022-0969'), node('n7', 'RUSTSEC-2020-0071', ['GHSA-wcg3-cvx6-7396']),
    ];
    const expected = [['n3', 'n5'], ['n1', 'n2'], ['n7'], ['n6'], ['n4']];
    for (let seed = 1; seed <= 25; seed++) assert.deepEqual(groupByAlias(shuffle(nodes, seed)), expected, `seed ${seed}`);
  });
});
