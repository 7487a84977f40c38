// Saves the workflow histories of a finished `rareflow demo` for the replay test (test/workflows/replay.test.ts):
//   RAREFLOW_HOME=/tmp/demo-state npm run demo && RAREFLOW_HOME=/tmp/demo-state node test/support/recordDemoHistories.mjs
// It starts the embedded dev server on the demo's SQLite file, keeps one history per workflow type and outcome,
// and writes them as TYPE-WORKFLOWID-RUNID8.json (the replay test parses the workflow id from the name).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../dist/infra/rareflowConfig.js';
import { connectOrStartTemporal } from '../../dist/infra/temporalServer.js';

const config = loadConfig();
const out = join(process.cwd(), 'test/fixtures/histories');
mkdirSync(out, { recursive: true });
const server = await connectOrStartTemporal({ stateDir: config.stateDir, toolRoot: config.packageRoot, headless: true, log: () => {} });
const connection = await Connection.connect({ address: server.target.address });
const client = new Client({ connection, namespace: server.target.namespace });
let saved = 0;
try {
  for await (const wf of client.workflow.list()) {
    if (!wf.workflowId.includes('demo')) continue;
    const name = `${wf.type}-${wf.workflowId}-${wf.runId.slice(0, 8)}.json`.replace(/[^A-Za-z0-9_.-]/g, '_');
    writeFileSync(join(out, name), JSON.stringify(await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory()));
    saved += 1;
  }
} finally {
  await connection.close();
  await server.stop();
}
console.log(`saved ${saved} demo histories to ${out}`);
