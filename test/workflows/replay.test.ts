// Replays every recorded workflow history against today's workflow code; a deliberately altered history must
// fail with a DeterminismViolationError, so this test is known to bite.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';

const { temporal } = proto;
import { beforeAll, describe, expect, it } from 'vitest';
import * as workflowsModule from '../../workflows/index.js';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { buildWorkflowBundle } from '../../worker/rareflowWorkers.js';

const dir = join(process.cwd(), 'test/fixtures/histories');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await buildWorkflowBundle();
});

// fromObject (not the SDK's historyFromJSON) because npm installs two copies of protobufjs 8 side by side here,
// and historyFromJSON's type check fails across copies.
function load(file: string) {
  return temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(join(dir, file), 'utf8')));
}

describe('replay of recorded histories', () => {
  it('has a recorded history for every workflow type', () => {
    const types = new Set(files.filter((f) => !f.startsWith('altered-')).map((f) => f.split('-')[0]));
    // Every workflow the worker registers (workflows/index.ts) is guarded by at least one recorded history.
    expect([...types].sort()).toEqual(Object.keys(workflowsModule).sort());
  });

  // Files are named TYPE-WORKFLOWID-RUNID8.json (altered ones prefixed `altered-`); child workflow ids derive from the
  // parent's id, so replay needs it.
  const workflowIdOf = (file: string) =>
    file
      .replace(/^altered-/, '')
      .replace(/^[A-Za-z]+-/, '')
      .replace(/-[0-9a-f]{8}\.json$/, '');

  for (const file of files.filter((f) => !f.startsWith('altered-'))) {
    it(`replays ${file} deterministically`, async () => {
      await Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, load(file), workflowIdOf(file));
    });
  }

  it('fails on a history whose recorded activity sequence no longer matches the code', async () => {
    const altered = files.filter((f) => f.startsWith('altered-'));
    expect(altered.length).toBeGreaterThan(0);
    for (const file of altered) {
      await expect(
        Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, load(file), workflowIdOf(file)),
      ).rejects.toMatchObject({
        name: 'DeterminismViolationError',
        message: expect.stringContaining('removeLabelNoise'),
      });
    }
  });
});
