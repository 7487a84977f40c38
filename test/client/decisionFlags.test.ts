// A recorded reason that is empty would record nothing: `--why ""` is refused as `--by ""` is, before anything is
// sent to Temporal.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { awaitAbortedRollout, refuseLateAbort } from '../../client/canaryControlChecks.js';
import { runCli } from '../support/cliProcess.js';

const home = mkdtempSync(join(tmpdir(), 'rareflow-decision-flags-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('decision flags', () => {
  it('refuses an empty --why on canary abort and reject, exit 2, naming the flag', async () => {
    for (const args of [
      ['canary', 'abort', '--model', 'm', '--why', ''],
      ['reject', '--model', 'm', '--run', 'r', '--why', '  '],
    ]) {
      const r = await runCli(args, { cwd: home, env: { RAREFLOW_HOME: home } });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`rareflow ${args[0]}: --why: expected a reason, got an empty string\n`);
    }
  });
});

describe('a canary abort that came too late', () => {
  it('is refused naming the promotion, not answered with a status and exit 0', () => {
    const promoted = { outcome: 'promoted' as const, reason: 'passed 2 step(s) up to 100% over 2 window(s)', windows: [] };
    expect(() => refuseLateAbort('fraud', promoted)).toThrow(
      'canary abort: the rollout of fraud had promoted its challenger before the abort came (passed 2 step(s) up to 100% over 2 window(s)); it is the champion now',
    );
    expect(() => refuseLateAbort('fraud', { outcome: 'rolled-back', reason: 'aborted by zoe', windows: [] })).not.toThrow();
    expect(() => refuseLateAbort('fraud', undefined)).not.toThrow();
  });
});

describe('a canary abort whose rollback does not come', () => {
  it('fails saying the rollback waits for a worker, instead of showing the rollout at its old weight', async () => {
    const rolledBack = { outcome: 'rolled-back' as const, reason: 'aborted by zoe', windows: [] };
    await expect(awaitAbortedRollout('fraud', Promise.resolve(rolledBack), 1000)).resolves.toEqual(rolledBack);
    await expect(awaitAbortedRollout('fraud', new Promise(() => {}), 50)).rejects.toThrow(
      'canary abort: the rollout of fraud took the abort, but it has not rolled back within 0 s: its rollback runs on a worker that takes registry steps',
    );
  });
});
