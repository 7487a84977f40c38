// A real Temporal dev server per test file (the project's pinned CLI, found or installed like the product does),
// with a bundled workflow build and temp artifact/registry directories.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { packageRoot } from '../../infra/rareflowConfig.js';
import { startDevServer, type DevServer } from '../../infra/temporalServer.js';
import { buildWorkflowBundle, createRareflowWorkers, type RareflowWorkers } from '../../worker/rareflowWorkers.js';
import { RareflowClient } from '../../client/temporalClient.js';
import type { Registry } from '../../data/registry.js';
import { WORKFLOWS_TASK_QUEUE, type PipelineSpec, type RetrainResult } from '../../workflows/contract.js';

export interface TemporalTestEnv {
  server: DevServer;
  client: Client;
  bundle: WorkflowBundleWithSourceMap;
  dir: string;
  artifactRoot: string;
  registryPath: string;
  servingDir: string;
  close(): Promise<void>;
}

export async function startTemporalTestEnv(): Promise<TemporalTestEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'rareflow-wf-'));
  const server = await startDevServer({ stateDir: dir, toolRoot: packageRoot(), port: 0, headless: true });
  const connection = await Connection.connect({ address: server.target.address });
  const client = new Client({ connection, namespace: server.target.namespace });
  const bundle = await buildWorkflowBundle();
  return {
    server,
    client,
    bundle,
    dir,
    artifactRoot: join(dir, 'artifacts'),
    registryPath: join(dir, 'registry.duckdb'),
    servingDir: join(dir, 'serving'),
    async close() {
      await connection.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The workers of one test (every queue), on the env's server, bundle, store, registry and serving directory. */
export function createTestWorkers(env: TemporalTestEnv): Promise<RareflowWorkers> {
  return createRareflowWorkers({
    target: env.server.target,
    artifactRoot: env.artifactRoot,
    registryPath: env.registryPath,
    servingDir: env.servingDir,
    workflowBundle: env.bundle,
  });
}

/** Runs `work` with this test's workers polling, handing it a client and the registry the workers write. */
export async function withTestWorkers<T>(env: TemporalTestEnv, work: (c: RareflowClient, registry: Registry) => Promise<T>): Promise<T> {
  const workers = await createTestWorkers(env);
  const c = new RareflowClient(env.client);
  return (await workers.run(work(c, workers.registry!))) as T;
}

/** One retrainPipeline run started directly (no lifecycle), with a manual trigger; resolves to its result. */
export function runRetrainPipeline(c: RareflowClient, spec: PipelineSpec, workflowId: string): Promise<RetrainResult> {
  return c.client.workflow.execute('retrainPipeline', {
    taskQueue: WORKFLOWS_TASK_QUEUE,
    workflowId,
    args: [{ spec, trigger: { kind: 'manual', reason: 'test', coalesced: 1 } }],
  }) as Promise<RetrainResult>;
}
