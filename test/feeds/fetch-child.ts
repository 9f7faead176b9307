// Runs the CLI in a child process (`node --import tsx test/feeds/fetch-child.ts db fetch …`), so a
// test can kill it mid-ingest with SIGKILL.
import { run } from '../../src/cli/main.js';

process.exitCode = await run(process.argv);
