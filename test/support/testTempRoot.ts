// Every temporary directory the suite makes (the tests', the CLI processes' and servers' they start) goes under one
// root for the run, removed at its end: a test that forgets its own cleanup, or dies before it, leaves nothing in the
// machine's temporary directory. Vitest's global setup runs before the test processes are forked, so they inherit
// TMPDIR (os.tmpdir() reads it on every call).

import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'rareflow-test-run-'));
  // Open to every user as the machine's own temporary directory is (sticky, world-writable): the PostgreSQL server the
  // registry tests start runs as another user and must reach its data directory under it.
  chmodSync(root, 0o1777);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
