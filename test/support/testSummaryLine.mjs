// Prints vitest's JSON results as one plain closing line, "N passed, N failed, N skipped", for CI logs.
import { existsSync, readFileSync } from 'node:fs';

const path = process.argv[2] ?? '.rareflow/test-results.json';
// No results file: the build or vitest itself failed before writing one, and npm test already exits non-zero.
if (!existsSync(path)) process.exit(0);
const r = JSON.parse(readFileSync(path, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
process.stdout.write(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped\n`);
