// `rareflow run`: sends a retrain request with a pipeline spec to the model's lifecycle, and with --wait follows the
// retrain that served it to its outcome.

import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { InvalidInputError } from '../core/invalidInputError.js';
import { EXIT_CODES } from './exitCodes.js';
import { isS3Uri } from '../data/objectStore.js';
import { requireRetrainInputs } from './localInputPaths.js';
import { servedWithSameSpec } from './servedSpec.js';
import { holdWorkerLogLines } from '../worker/rareflowWorkers.js';
import type { PipelineSpec } from '../workflows/contract.js';
import { formatPerClassTable, formatStages } from './perClassTable.js';
import { readPipelineSpecFile } from './pipelineSpec.js';
import { requestProgressLine } from './temporalClient.js';
import { hasPollers, withClient, type Say } from './orchestratedCommands.js';

function absolutePaths(spec: PipelineSpec, configPath: string): PipelineSpec {
  const base = resolve(configPath, '..');
  return { ...spec, input: { ...spec.input, paths: spec.input.paths.map((p) => (isS3Uri(p) ? p : resolve(base, p))) } };
}

/**
 * `rareflow run`: start (or signal) the model's lifecycle for a retrain; --wait prints its outcome. Without --wait
 * it returns once the lifecycle has the signal, unless this process started the embedded server: that server
 * stops when the command ends, so then it waits for the retrain.
 */
export async function runCommand(say: Say, a: { config: string; wait: boolean; reason: string }) {
  // Recorded with the retrain and shown in status: an empty one says nothing (drift refuses it too).
  if (a.reason.trim() === '')
    throw new InvalidInputError('--reason', '--reason: expected why this retrain is asked for, got an empty text');
  const spec = absolutePaths(readPipelineSpecFile(a.config), a.config);
  await requireRetrainInputs(spec.input.paths, `--config ${a.config}: input.paths`);
  // Warnings of the worker this command may host are held and printed as one group, before the outcome (or error).
  const releaseWarnings = holdWorkerLogLines();
  const sayWarnings = (print: Say) => {
    const lines = releaseWarnings();
    if (lines.length === 0) return;
    print(`warnings (${lines.length}):`);
    for (const l of lines) print(`  ${l}`);
  };
  let result;
  // Ctrl-C stops the worker this command hosts (the SDK's own signal handling), which fails the wait with an SDK error:
  // what it means for the retrain is said instead.
  // Listened for once the request is sent, while the command waits for its retrain.
  let interrupted = false;
  let lastResort: NodeJS.Timeout | undefined;
  const interruptedText = `interrupted (Ctrl-C) while waiting: the retrain request was sent and stays with the lifecycle of ${spec.modelName}; it goes on while a worker and the server run (rareflow dev, or rareflow worker with TEMPORAL_ADDRESS): follow it with rareflow status --model ${spec.modelName}`;
  const onInterrupt = () => {
    interrupted = true;
    // Without a hosted worker nothing else ends the wait: the command ends itself.
    lastResort = setTimeout(() => {
      process.stderr.write(`rareflow run: ${interruptedText}\n`);
      process.exit(EXIT_CODES.failed);
    }, 5000);
    lastResort.unref();
  };
  try {
    result = await withClient(
      say,
      async (c, server) => {
        if (!a.wait && !server.owned) {
          // No status query here: with no worker polling, a query to a running lifecycle would block. A describe is
          // answered by the server alone: whether this request started the lifecycle or was sent to a running one
          // (the output once said `started: true` either way).
          const running = await c
            .lifecycle(spec.modelName)
            .describe()
            .then(
              (d) => d.status.name === 'RUNNING',
              () => false,
            );
          const handle = await c.retrain(spec, a.reason);
          say(`retrain requested: lifecycle workflow ${handle.workflowId}; follow it with: rareflow status --model ${spec.modelName}`);
          if (!(await hasPollers(c, c.client.options.namespace)))
            say('note: no worker is polling yet; the retrain starts when one does (rareflow worker, or rareflow dev)');
          return {
            modelName: spec.modelName,
            workflowId: handle.workflowId,
            requested: true,
            lifecycle: running ? 'signalled' : 'started',
          };
        }
        // The request is named, so the retrain that served it is found even when others were queued beside it.
        const requestId = randomUUID();
        await c.retrain(spec, a.reason, {}, requestId);
        process.once('SIGINT', onInterrupt);
        if (!a.wait) {
          say(
            'note: with the embedded server, run waits for the retrain (the server stops when this command ends); use rareflow dev to keep one running',
          );
        }
        const served = await c
          .waitForRequest(
            spec.modelName,
            requestId,
            (s, stage) => say(requestProgressLine(s, requestId, stage)),
            500,
            () =>
              say(
                `the lifecycle of ${spec.modelName} does not answer its queries though the server does (no worker polls, or its worker fails them): a retrain goes on when a worker is back (rareflow worker); still waiting`,
              ),
          )
          .catch((err: unknown) => {
            if (err instanceof InvalidInputError) throw err;
            // The request was taken: the retrain goes on in the lifecycle whatever happened to this connection.
            throw new Error(
              `lost the Temporal server while waiting for the retrain (${err instanceof Error ? err.message : String(err)}); the request was sent, and the retrain goes on when the server is back: follow it with rareflow status --model ${spec.modelName}`,
              { cause: err },
            );
          });
        // Replaced by another request's spec, and that spec is not the same as this one.
        const specReplaced = served.specRequestId !== requestId && !(await servedWithSameSpec(c.client, served.runId, spec));
        const dataReplaced = served.dataPaths !== undefined && served.dataPaths.join('\n') !== spec.input.paths.join('\n');
        if (specReplaced) {
          // A newer `run --config` reached the lifecycle before this retrain started: its spec is the one that ran.
          say(
            `warning: another rareflow run for model ${spec.modelName} sent its own pipeline spec before this retrain started, so the retrain (${served.runId}) used that spec, not ${a.config}`,
          );
        }
        if (dataReplaced) {
          // A drift signal with new data reached the lifecycle after this request: its files are the ones read.
          say(
            `warning: a drift signal sent after this request named other data, so the retrain (${served.runId}) read ${served.dataPaths!.join(', ')}, not the input.paths of ${a.config}`,
          );
        }
        if (served.specNotKept) {
          // A lifecycle whose only retrain is this one had no earlier spec that ran: it is not promised one.
          // No earlier retrain got past its input checks: the spec it had before never ran either.
          const firstRetrain = (await c.status(spec.modelName)).history.every((h) => h.runId === served.runId || h.inputRefused === true);
          say(
            firstRetrain
              ? `warning: the retrain (${served.runId}) refused ${a.config} as bad input (below), and the lifecycle of ${spec.modelName} has no earlier spec that ran: its scheduled and drift retrains fail the same way until a rareflow run --config sends a spec that runs`
              : `warning: the retrain (${served.runId}) refused ${a.config} as bad input (below), so the lifecycle of ${spec.modelName} did not keep it: its scheduled and drift retrains go on with the spec it had before`,
          );
        }
        // Cancelled (rareflow cancel, Temporal's UI): an outcome like any other that did not promote, not a failure.
        if (served.outcome === 'cancelled')
          return {
            modelName: spec.modelName,
            runId: served.runId,
            outcome: 'cancelled' as const,
            reason: served.outcomeReason ?? 'cancelled before it ended',
          };
        const result = await c.retrainResult(served.runId);
        return { ...result, ...(specReplaced ? { specReplaced: true } : {}), ...(dataReplaced ? { dataReplaced: true } : {}) };
      },
      { hostWorker: (server) => server.owned || a.wait },
    );
  } catch (err) {
    sayWarnings((l) => process.stderr.write(`${l}\n`));
    if (interrupted) throw new Error(interruptedText, { cause: err });
    throw err;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    clearTimeout(lastResort);
  }
  sayWarnings(say);
  if ('outcome' in result) {
    if ('stages' in result) {
      say(formatStages(result));
      say(formatPerClassTable(result));
    }
    say(`outcome: ${result.outcome}${result.reason ? ` (${result.reason})` : ''}`);
  }
  return result;
}
