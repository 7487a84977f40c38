// One retrain, as in ARCHITECTURE.md's data flow: sample → split → filter label noise → ADASYN → train → validate →
// (approval) → promote. Orchestration only: every step is an activity that passes artifact references.

import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  executeChild,
  deprecatePatch,
  patched,
  getExternalWorkflowHandle,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  awaitingApprovalSignal,
  canaryApprovalSignal,
  canaryWorkflowId,
  pipelineApprovalSignal,
  pipelineStageQuery,
  type ApprovalDecision,
  type ArtifactRef,
  type RetrainInput,
  type RetrainOutcome,
  type RetrainResult,
  type StageSummary,
  FailureType,
} from './contract.js';
import { RESOURCE_NAME_RULE, isResourceName } from '../core/resourceName.js';
import { pipelineSpecProblem } from '../core/spec/pipelineSpecCheck.js';
import { LONG_STAGE_HEARTBEAT_TIMEOUT, computeActivities, pastCancellation, registryActivities } from './activityProxies.js';
import { innermostFailure } from './failureReason.js';
import { adaptiveSampling, adaptiveSamplingInputOf, samplingStageSummary } from './adaptiveSampling.js';
import { canaryRollout } from './canaryRollout.js';
import { StageClock } from './stageClock.js';

const compute = computeActivities({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: LONG_STAGE_HEARTBEAT_TIMEOUT,
  maximumAttempts: 5,
});

const registry = registryActivities('10 minutes');

const DEFAULT_APPROVAL_TIMEOUT_MS = 86_400_000;

export async function retrainPipeline(input: RetrainInput): Promise<RetrainResult> {
  const { spec, trigger } = input;
  const runId = workflowInfo().workflowId;
  // The name becomes a directory, registry key and workflow id: a client that skipped the spec check fails here,
  // before any activity has written anything; so does any spec the schema refuses. Retired patches stay as
  // deprecatePatch calls while kept histories hold their markers (test/fixtures/histories).
  if (!isResourceName(spec.modelName)) {
    throw ApplicationFailure.nonRetryable(
      `modelName: expected ${RESOURCE_NAME_RULE}, got ${JSON.stringify(spec.modelName)}`,
      FailureType.invalidInput,
    );
  }
  deprecatePatch('spec-schema-check');
  const problem = pipelineSpecProblem(spec, 'pipeline spec');
  if (problem) throw ApplicationFailure.nonRetryable(problem.message, FailureType.invalidInput);
  const clock = new StageClock();
  let stage = clock.enter('describing input');
  let decision: ApprovalDecision | undefined;
  /** The canary child, while it waits for a human: decisions relayed by the lifecycle go on to it. */
  let canaryAwaiting: string | undefined;
  setHandler(pipelineStageQuery, () => stage);
  // Signal handlers never throw: a malformed decision, or a relay to a workflow that has ended, is logged and
  // ignored (a throwing handler would fail the workflow task, and with it the retrain).
  setHandler(pipelineApprovalSignal, async (d) => {
    if (typeof d !== 'object' || d === null || typeof d.approved !== 'boolean' || typeof d.by !== 'string') {
      log.warn('retrain ignored a malformed approval decision', { runId, decision: d });
      return;
    }
    if (canaryAwaiting !== undefined) {
      const child = canaryAwaiting;
      canaryAwaiting = undefined;
      try {
        await getExternalWorkflowHandle(child).signal(canaryApprovalSignal, d);
      } catch (err) {
        log.warn('retrain could not relay an approval decision to its canary', { runId, canary: child, error: innermostFailure(err) });
      }
      return;
    }
    if (decision === undefined) decision = d;
  });
  setHandler(awaitingApprovalSignal, async (childId) => {
    canaryAwaiting = childId;
    stage = 'canary: awaiting approval';
    const parent = workflowInfo().parent;
    if (!parent) return;
    try {
      await getExternalWorkflowHandle(parent.workflowId).signal(awaitingApprovalSignal, runId);
    } catch (err) {
      log.warn('retrain could not tell its lifecycle it awaits approval', {
        runId,
        lifecycle: parent.workflowId,
        error: innermostFailure(err),
      });
    }
  });

  const dataPaths = trigger.dataPaths && trigger.dataPaths.length > 0 ? trigger.dataPaths : spec.input.paths;
  // The later stages ride along so their memory is checked before anything is sampled or written (payload only).
  const described = await compute.describeInput({
    input: { ...spec.input, paths: dataPaths },
    sampling: spec.sampling,
    denoise: spec.denoise,
    adasyn: spec.adasyn,
    model: spec.model,
    // Payload only: a multi-class label refuses the two-class gates before any work, and a minPositiveSupport the
    // test split cannot reach is refused.
    gates: spec.gates,
    split: spec.split,
  });
  // A label of three or more classes (no input.positive or positiveWhen): the stages carry the class values.
  const multiClass = described.multiClass;
  const classes = multiClass ? { classes: multiClass.classes } : {};

  // A run is registered once its input has passed the checks of sampling (NaN or Inf in kept rows is bad input,
  // and bad input must leave nothing in the registry).
  let registered = false;
  /** Set once the registry holds the run (before a drift trigger is recorded): what a cancel must finish. */
  let started = false;
  deprecatePatch('register-after-sampling');
  try {
    const champion = await registry.registryChampion(spec.modelName);

    // Adaptive sampling: a child workflow fans out one activity per shard (seed 003's cluster mode) and merges.
    stage = clock.enter('adaptive sampling');
    deprecatePatch('adaptive-sampling-child-workflow');
    const sampled = await executeChild(adaptiveSampling, {
      workflowId: `${runId}-sampling`,
      args: [adaptiveSamplingInputOf(spec, described)],
    });
    const samples: ArtifactRef[] = [sampled.sample];
    const samplingOrder = sampled.order;
    // The positive class by its value, so a yes/no label whose rarer value is "no" is seen to be so.
    // A predicate's class is its value (true), not a value of the label column the sample writes it to.
    const classNote = multiClass
      ? multiClass.note
      : spec.input.positiveWhen
        ? `positives: the rows where input.positiveWhen "${spec.input.positiveWhen}" holds (written as ${spec.input.label} = 1)`
        : `positive class "${described.positiveLabel}" of ${spec.input.label}`;
    const samplingStage = samplingStageSummary(sampled, [classNote, ...(described.warnings ?? [])].join('; '));

    // The input has passed sampling's checks: the run is registered now (whole, past a cancellation meanwhile, so
    // a run the registry holds is one a cancel finishes).
    const start = {
      runId,
      modelName: spec.modelName,
      workflowId: runId,
      // When its first stage began: registered after sampling, the run is timed from the start, not from then.
      startedAt: clock.startedAt(),
      seed: spec.seed,
      // A `sample_weight` input column weights training; the run record says so.
      params: {
        spec,
        trigger,
        ...(described.sampleWeight ? { sampleWeight: described.sampleWeight } : {}),
        ...(samplingOrder && samplingOrder.length > 0 ? { samplingOrder } : {}),
      },
      inputHashes: Object.fromEntries(described.files.map((f, i) => [f, described.fileSha256s[i]!])),
    };
    await pastCancellation(() => registry.registryStartRun(start));
    started = true;
    if (trigger.kind === 'drift') {
      await registry.registryRecordDrift({
        modelName: spec.modelName,
        at: new Date().toISOString(),
        source: 'lifecycle',
        evidence: {
          reason: trigger.reason,
          coalesced: trigger.coalesced,
          ...(trigger.metrics ? { metrics: trigger.metrics } : {}),
          ...(trigger.dataPaths ? { dataPaths: trigger.dataPaths } : {}),
        },
        runId,
      });
    }
    registered = true;

    stage = clock.enter('merge and split');
    const split = await compute.mergeAndSplit({
      samples,
      split: spec.split,
      seed: spec.seed,
      ...(spec.features ? { features: spec.features } : {}),
      ...classes,
    });
    const stages: StageSummary[] = [samplingStage, split.summary];

    let train = split.train;
    if (spec.denoise.method !== 'none') {
      stage = clock.enter('label-noise filtering');
      const cleaned = await compute.filterLabelNoise({
        train,
        method: spec.denoise.method,
        k: spec.denoise.k ?? 3,
        ...(spec.denoise.neighbors ? { neighbors: spec.denoise.neighbors } : {}),
        ...(spec.denoise.method === 'confident' ? { seed: spec.seed } : {}),
        ...(described.categorical ? { categorical: described.categorical } : {}),
      });
      train = cleaned.dataset;
      stages.push(cleaned.summary);
    }
    let lineage = undefined;
    if (spec.adasyn.enabled) {
      stage = clock.enter('ADASYN');
      const augmented = await compute.oversampleAdasyn({
        train,
        k: spec.adasyn.k ?? 5,
        beta: spec.adasyn.beta ?? 1,
        seed: spec.seed,
        ...(spec.adasyn.neighbors ? { neighbors: spec.adasyn.neighbors } : {}),
        ...(spec.adasyn.maxSyntheticRatio !== undefined ? { maxSyntheticRatio: spec.adasyn.maxSyntheticRatio } : {}),
        ...(described.categorical ? { categorical: described.categorical } : {}),
        ...classes,
      });
      train = augmented.dataset;
      lineage = augmented.lineage;
      stages.push(augmented.summary);
    }

    stage = clock.enter('training');
    const trained = await compute.trainModel({
      train,
      validation: split.validation,
      model: spec.model,
      labels: {
        positive: described.positiveLabel,
        negative: described.negativeLabel,
        ...(spec.input.positiveWhen ? { positiveWhen: spec.input.positiveWhen } : {}),
      },
      seed: spec.seed,
      modelName: spec.modelName,
      runId,
      ...(split.missingValues ? { missingValues: split.missingValues } : {}),
      ...(described.booleanColumns ? { booleanColumns: described.booleanColumns } : {}),
      ...(described.categorical ? { categorical: described.categorical } : {}),
      ...classes,
      // The data's positive share, which the sample over-represents: a cost threshold rule is taken at it.
      ...(!multiClass && samplingStage.rowsIn > 0 ? { dataPrevalence: samplingStage.positivesIn / samplingStage.rowsIn } : {}),
    });
    stages.push(trained.summary);

    stage = clock.enter('validation');
    const validated = await compute.validateModel({
      model: trained.model,
      test: split.test,
      gates: spec.gates,
      // With the rows the champion learnt from, so it is judged only on test rows it never saw.
      ...(champion ? { champion: champion.model, ...(champion.seen?.length ? { championSeen: champion.seen } : {}) } : {}),
      stages,
      // Precision, F1, PR-AUC and Brier at the data's class mix, not the sample's (stages/validate.ts).
      ...(samplingStage.rowsIn > 0 ? { populationPrevalence: samplingStage.positivesIn / samplingStage.rowsIn } : {}),
      ...(multiClass ? { populationClasses: { classes: multiClass.classes, counts: multiClass.counts } } : {}),
      seed: spec.seed,
      runId,
    });

    await registry.registryRecordRetrain({
      runId,
      modelName: spec.modelName,
      datasets: [
        { ref: split.train, role: 'train' },
        { ref: split.validation, role: 'validation' },
        { ref: split.test, role: 'test' },
        { ref: train, role: 'train-augmented' },
      ],
      model: trained.model,
      modelKind: spec.model.kind,
      threshold: trained.threshold,
      createdAt: new Date().toISOString(),
      report: validated.report,
      ...(lineage ? { lineage } : {}),
    });

    const finish = async (
      outcome: RetrainOutcome,
      extra: Pick<RetrainResult, 'decidedBy' | 'reason' | 'canary'> = {},
    ): Promise<RetrainResult> => {
      const end = { runId, outcome, finishedAt: new Date().toISOString(), reportUri: validated.report.uri, stageTimings: clock.finish() };
      await pastCancellation(() => registry.registryFinishRun(end));
      stage = outcome;
      return {
        runId,
        modelName: spec.modelName,
        outcome,
        modelSha256: trained.model.sha256,
        reportUri: validated.report.uri,
        ...(validated.html ? { reportHtmlUri: validated.html.uri } : {}),
        validation: validated.summary,
        stages,
        trigger,
        ...extra,
      };
    };

    if (validated.summary.verdict === 'fail') return finish('rejected-by-gate', { reason: validated.summary.reasons.join('; ') });
    // Too few test rows of a class to judge: the gate spec says whether to stop, ask a human, or go ahead.
    const onInsufficient = spec.gates.onInsufficientEvidence ?? 'reject';
    const insufficient = validated.summary.verdict === 'insufficient-evidence';
    if (insufficient && onInsufficient === 'reject') {
      return finish('insufficient-evidence', { reason: validated.summary.reasons.join('; ') });
    }

    if (spec.requireApproval || (insufficient && onInsufficient === 'require-approval')) {
      stage = clock.enter('awaiting-approval');
      const parent = workflowInfo().parent;
      if (parent) await getExternalWorkflowHandle(parent.workflowId).signal(awaitingApprovalSignal, runId);
      const decided = await condition(() => decision !== undefined, spec.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS);
      if (!decided || !decision) return finish('approval-timed-out', { reason: 'no approve or reject signal before the approval timeout' });
      deprecatePatch('approval-audit');
      await registry.registryRecordApproval({
        runId,
        stage: 'promotion',
        approved: decision.approved,
        decidedBy: decision.by,
        at: new Date().toISOString(),
        reason: decision.why ?? null,
      });
      if (!decision.approved)
        return finish('rejected-by-human', { decidedBy: decision.by, ...(decision.why ? { reason: decision.why } : {}) });
    }

    // The drift monitor compares live traffic with this model's training rows and test scores, at the raw prior.
    deprecatePatch('drift-reference');
    if (samplingStage.rowsIn > 0 && samplingStage.positivesIn > 0 && samplingStage.positivesIn < samplingStage.rowsIn) {
      stage = clock.enter('drift reference');
      await compute.buildDriftReference({
        model: trained.model,
        train: split.train,
        test: split.test,
        rawPrior: samplingStage.positivesIn / samplingStage.rowsIn,
        seed: spec.seed,
        ...(multiClass ? { classPrior: multiClass.counts.map((n) => n / multiClass.counts.reduce((a, b) => a + b, 0)) } : {}),
      });
    }

    // Unchanged data and spec retrain the champion itself (the model step is memoised): no canary against itself
    // (a rollback archived the serving champion) and no second promotion record.
    if (champion?.model.sha256 === trained.model.sha256 && patched('identical-challenger'))
      return finish('promoted', {
        ...(decision ? { decidedBy: decision.by } : {}),
        reason: `the retrained model is the champion itself (sha256 ${trained.model.sha256.slice(0, 12)}): nothing to roll out, the champion keeps serving`,
      });

    // Canary promotion: the challenger serves a growing share of live traffic and is judged per class (a first
    // model has no champion to compare with, so it is promoted directly).
    if (spec.canary && champion) {
      deprecatePatch('canary-rollout');
      stage = clock.enter('canary');
      const rollout = await executeChild(canaryRollout, {
        workflowId: canaryWorkflowId(runId),
        args: [
          {
            modelName: spec.modelName,
            runId,
            challengerSha256: trained.model.sha256,
            championSha256: champion.model.sha256,
            canary: spec.canary,
            ...(spec.approvalTimeoutMs !== undefined ? { approvalTimeoutMs: spec.approvalTimeoutMs } : {}),
            ...classes,
          },
        ],
      }).catch((err: unknown) => {
        // The rollout cancelled on its own (from Temporal's UI) has rolled its challenger back: the retrain ends
        // rolled back, not failed. A cancel of the retrain itself goes on to its own end.
        if (isCancellation(err) && !CancellationScope.current().consideredCancelled && patched('canary-cancelled-alone')) return undefined;
        throw err;
      });
      if (rollout === undefined)
        return finish('rolled-back', { reason: 'the canary rollout was cancelled before it ended; its challenger was rolled back' });
      const by = rollout.decidedBy ?? decision?.by;
      return finish(rollout.outcome, { ...(by ? { decidedBy: by } : {}), reason: rollout.reason, canary: rollout });
    }

    stage = clock.enter('promoting');
    // A promotion once begun is recorded whole, past a cancellation that comes meanwhile.
    return await pastCancellation(async () => {
      await registry.registryPromote({ modelName: spec.modelName, modelSha256: trained.model.sha256, runId, at: new Date().toISOString() });
      return finish('promoted', decision ? { decidedBy: decision.by } : {});
    });
  } catch (err) {
    // A retrain that fails or is cancelled (rareflow cancel, Temporal's UI) after it was registered is finished as
    // such, so no run stays 'running' forever; a cancelled one's record is written past the cancellation.
    const cancelled = isCancellation(err);
    if (registered && !cancelled) deprecatePatch('finish-failed-runs');
    if (cancelled ? started && patched('finish-cancelled-runs') : registered) {
      const finish = {
        runId,
        outcome: cancelled ? 'cancelled' : 'failed',
        finishedAt: new Date().toISOString(),
        stageTimings: clock.finish(),
      } as const;
      await CancellationScope.nonCancellable(() => registry.registryFinishRun(finish));
    }
    throw err;
  }
}
