// Runs the CLI in a child process (`node --import tsx test/jobs/cli-child.ts worker …`), so a test
// can send it real signals.
import { run } from '../../src/cli/main.js';

process.exitCode = await run(process.argv);
