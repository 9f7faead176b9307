// Test support (excluded from the build): OpenSSL as an independent signer/verifier, temp dirs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { requireTool } from '../../test/support/tools.js';

/** A temp dir removed after the test. */
export function tempDir(t: TestContext, prefix = 'stella-attest-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** True when openssl runs; otherwise skips loudly (fails under CI=true). */
export function haveOpenssl(t: TestContext): boolean {
  return requireTool(t, 'openssl', ['version']);
}

/** Runs openssl; returns status and output (stdout as bytes). */
export function openssl(args: string[], input?: Uint8Array): { status: number | null; stdout: Buffer; stderr: string } {
  const result = spawnSync('openssl', args, { input, maxBuffer: 16 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
}
