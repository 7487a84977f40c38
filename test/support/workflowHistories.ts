// Saves workflow histories for the replay test (test/workflows/replay.test.ts), named TYPE-WORKFLOWID-RUNID8.json:
// the replay test reads the workflow id back from the name. Tests call it when RAREFLOW_RECORD_HISTORIES is set.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';

/** Where recorded histories go, or undefined when recording is off. */
export const historyRecordDir = process.env.RAREFLOW_RECORD_HISTORIES ? join(process.cwd(), 'test/fixtures/histories') : undefined;

/** Writes the history of every workflow on the server (running ones too) whose type passes `keep`. */
export async function recordWorkflowHistories(client: Client, keep: (type: string) => boolean = () => true): Promise<void> {
  if (!historyRecordDir) return;
  mkdirSync(historyRecordDir, { recursive: true });
  for await (const wf of client.workflow.list()) {
    if (!keep(wf.type)) continue;
    const name = `${wf.type}-${wf.workflowId}-${wf.runId.slice(0, 8)}.json`.replace(/[^A-Za-z0-9_.-]/g, '_');
    writeFileSync(join(historyRecordDir, name), JSON.stringify(await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory()));
  }
}
