// Runs the CLI in a child process (`node --import tsx test/server/cli-child.ts serve …`), so a test
// can signal it.
import { run } from '../../src/cli/main.js';

process.exitCode = await run(process.argv);
