import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fingerprintOf } from '../../src/server/index.js';
import { stella } from '../cli/harness.js';
import { assertSecurityHeaders, send } from './support.js';

/*
 * `stella serve` as a process: HTTPS on a free port with a certificate generated under
 * $STELLA_HOME, its fingerprint and URL on stderr, a clean exit (0) on SIGTERM.
 */

const CHILD = join(import.meta.dirname, 'cli-child.ts');

describe('stella serve', () => {
  let home: string;
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'stella-serve-cli-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  test('serves HTTPS, prints URL and fingerprint, exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'serve', '--port', '0'], {
      env: { ...process.env, STELLA_HOME: home, STELLA_DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        const m = /stella serve: listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`stella serve exited (${String(code)}) before listening:\n${stderr}`)));
    });
    const cert = readFileSync(join(home, 'tls', 'server.crt'), 'utf8');
    assert.match(stderr, new RegExp(`TLS certificate SHA-256 fingerprint ${fingerprintOf(cert)}`));
    const res = await send(url, { path: '/api/v1/feeds', ca: cert });
    assert.equal(res.status, 200, res.text);
    assertSecurityHeaders(assert, res.headers, 'serve');
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.equal(stdout, '', 'stdout stays clean');
    assert.match(stderr, /"signal":"SIGTERM","msg":"shutting down"/);
  });

  test('refuses contradictory or malformed options', async () => {
    const both = await stella(['serve', '--insecure-http', '--tls-cert', 'x.pem', '--tls-key', 'x.key']);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--insecure-http cannot be combined/);
    const port = await stella(['serve', '--port', '70000']);
    assert.equal(port.status, 2);
  });
});
