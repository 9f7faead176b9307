import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/**
 * True when `command` runs. When it does not, the test is skipped with a loud message locally;
 * under CI=true the missing tool is a failure instead, so CI can never pass by skipping.
 */
export function requireTool(t: TestContext, command: string, args: string[] = ['--version']): boolean {
  const probe = spawnSync(command, args, { stdio: 'ignore' });
  if (probe.error === undefined && probe.status === 0) return true;
  return missingPrerequisite(t, `required tool "${command}" is not installed; install it (see .ci/run) to run this test`);
}

/**
 * A test prerequisite (tool, package, fetched input) is missing: under CI=true that is a failure;
 * locally the test is skipped with a loud message on stderr. Always returns false.
 */
export function missingPrerequisite(t: TestContext, message: string): false {
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: failing instead of skipping)`);
  process.stderr.write(`\n!!! SKIPPED: ${message}\n`);
  t.skip(message);
  return false;
}
