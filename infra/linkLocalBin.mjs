// Run by `prepare` after the build: links node_modules/.bin/rareflow to the compiled CLI, so `npx rareflow` works
// inside a clone (npm links the bins of dependencies, not the project's own).
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'client', 'cli.js');
const binDir = join(root, 'node_modules', '.bin');
chmodSync(cli, 0o755);
mkdirSync(binDir, { recursive: true });
const link = join(binDir, 'rareflow');
rmSync(link, { force: true });
symlinkSync(relative(binDir, cli), link);
