// Temporal adapter of the canary analysis: aggregates one observation window of the scoring service's logs per
// arm (only rows served by the champion's and the challenger's own models) and judges it with core/canary.

import { canaryAnalysis as analyseCanaryWindow, type CanaryAnalysis } from '../core/canary/canaryAnalysis.js';
import type { ArmWindow } from '../core/canary/canaryArmWindow.js';
import { resolveCanaryCriteria } from '../core/canary/canaryCriteria.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { summariseServingWindow } from '../data/servingLogWindow.js';
import type { CanaryArmSummary } from '../workflows/contract.js';
import { failingOnBadInput, type ComputeDeps } from './activityRuntime.js';

export interface CanaryAnalysisInput {
  modelName: string;
  championSha256: string;
  challengerSha256: string;
  /** The challenger's window: requests received in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  /**
   * Start of the champion's window when it differs (at 100% the champion serves nothing in the step's own window,
   * so the rollout compares with the champion's traffic since the rollout began).
   */
  championFromMs?: number;
  criteria?: Record<string, unknown>;
  /**
   * The challenger's class values when it is a multi-class model: the window is then judged per class, and a class
   * without labelled requests in the window counts as one without evidence.
   */
  classes?: string[];
}

export interface CanaryAnalysisResult {
  decision: CanaryAnalysis['decision'];
  reasons: string[];
  arms: { champion: CanaryArmSummary; challenger: CanaryArmSummary };
  checks: CanaryAnalysis['checks'];
}

export function canaryAnalysisActivities(deps: ComputeDeps) {
  return {
    async canaryAnalysis(input: CanaryAnalysisInput): Promise<CanaryAnalysisResult> {
      return failingOnBadInput(async () => {
        const servingDir = deps.servingDir;
        if (!servingDir)
          throw new InvalidInputError(
            'servingDir',
            'this worker has no serving directory (RAREFLOW_SERVING); canary analysis needs the scoring service logs',
          );
        const criteria = resolveCanaryCriteria(input.criteria ?? {}, 'canary.criteria');
        const base = {
          servingDir,
          modelName: input.modelName,
          championSha256: input.championSha256,
          challengerSha256: input.challengerSha256,
        };
        const window = await summariseServingWindow({ ...base, fromMs: input.fromMs, toMs: input.toMs });
        const championWindow =
          input.championFromMs !== undefined && input.championFromMs < input.fromMs
            ? (await summariseServingWindow({ ...base, fromMs: input.championFromMs, toMs: input.toMs })).champion
            : window.champion;
        // A multi-class model predicts more than two class values; a binary one (even one whose negative side holds
        // several label values) predicts two, and is judged on its confusion as before. A window where a multi-class
        // challenger's traffic showed two classes only is still multi-class: its classes come with the input.
        const predictedValues = (w: typeof window.champion) => w.classes.filter((c) => c.predicted > 0).length;
        const known = input.classes ?? [];
        const multiClass = known.length > 2 || Math.max(predictedValues(championWindow), predictedValues(window.challenger)) > 2;
        const arm = (w: typeof window.champion): ArmWindow => {
          const seen = w.classes.map(({ value, labelled, correct }) => ({ value, labelled, correct }));
          const unseen = known.filter((v) => !seen.some((c) => c.value === v)).map((value) => ({ value, labelled: 0, correct: 0 }));
          return {
            requests: w.requests,
            errors: w.errors,
            latencyP99Ms: w.latencyP99Ms,
            confusion: w.confusion,
            ...(multiClass ? { classes: [...seen, ...unseen] } : {}),
          };
        };
        const analysis = analyseCanaryWindow(arm(championWindow), arm(window.challenger), criteria);
        return {
          decision: analysis.decision,
          reasons: analysis.reasons,
          arms: analysis.arms,
          checks: analysis.checks,
        };
      });
    },
  };
}
