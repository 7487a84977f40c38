// The lifecycle's incoming messages as plain data: payload checks (a bad payload is refused, never thrown),
// the retrain request of either signal form, and the coalescing of triggers with a bounded list of reasons.

import { pipelineSpecProblem } from '../core/spec/pipelineSpecCheck.js';
import type { PipelineSpec, RefusedMessage, RetrainRequest, RetrainTrigger } from './contract.js';

/** Reasons kept in a coalesced trigger; later ones are only counted (RetrainTrigger.omittedReasons). */
export const COALESCED_REASONS_KEPT = 10;
/** Request ids kept in a coalesced trigger, newest last. */
export const REQUEST_IDS_KEPT = 100;
/** Refused messages kept in the lifecycle's status, newest last. */
export const REFUSED_MESSAGES_KEPT = 20;

function shown(value: unknown): string {
  const text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Why `evidence` is not a usable drift payload, or undefined when it is. */
export function driftEvidenceProblem(evidence: unknown): string | undefined {
  if (typeof evidence !== 'object' || evidence === null || Array.isArray(evidence))
    return `expected an object {source, reason, dataPaths?, metrics?}, got ${shown(evidence)}`;
  const e = evidence as Record<string, unknown>;
  if (typeof e.source !== 'string') return `source must be a string, got ${shown(e.source)}`;
  if (typeof e.reason !== 'string') return `reason must be a string, got ${shown(e.reason)}`;
  if (e.dataPaths !== undefined && (!Array.isArray(e.dataPaths) || e.dataPaths.some((p) => typeof p !== 'string' || p === ''))) {
    return `dataPaths must be a list of file paths, got ${shown(e.dataPaths)}`;
  }
  if (e.metrics !== undefined) {
    if (typeof e.metrics !== 'object' || e.metrics === null || Array.isArray(e.metrics))
      return `metrics must be an object of numbers, got ${shown(e.metrics)}`;
    const bad = Object.entries(e.metrics).find(([, v]) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad) return `metrics.${bad[0]} must be a finite number, got ${shown(bad[1])}`;
  }
  return undefined;
}

/**
 * The request of a `retrainNow` signal, or why it is refused. Old histories send `(reason, spec?)`, whose kind
 * is read from the text as it was then (`schedule ...` is a Schedule, anything else manual).
 */
export function retrainRequestOf(
  payload: unknown,
  legacySpec: unknown,
  modelName: string,
): { request: RetrainRequest } | { problem: string } {
  let request: RetrainRequest;
  if (typeof payload === 'string') {
    request = {
      trigger: payload.startsWith('schedule') ? 'schedule' : 'manual',
      reason: payload,
      ...(legacySpec ? { spec: legacySpec as PipelineSpec } : {}),
    };
  } else if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) {
    const r = payload as Record<string, unknown>;
    if (r.trigger !== 'schedule' && r.trigger !== 'manual')
      return { problem: `trigger must be "schedule" or "manual", got ${shown(r.trigger)}` };
    if (typeof r.reason !== 'string') return { problem: `reason must be a string, got ${shown(r.reason)}` };
    request = payload as RetrainRequest;
  } else {
    return { problem: `expected {trigger, reason, spec?} or a reason string, got ${shown(payload)}` };
  }
  if (request.spec !== undefined) {
    // The spec's own model only: a spec for another model would retrain this one on the wrong data.
    const problem = pipelineSpecProblem(request.spec, 'spec');
    if (problem) return { problem: problem.message };
    if (request.spec.modelName !== modelName)
      return { problem: `spec is for model ${shown(request.spec.modelName)}, not ${shown(modelName)}` };
  }
  return { request };
}

function reasonsText(reason: string, omitted: number): string {
  return omitted > 0 ? `${reason}; and ${omitted} more` : reason;
}

/**
 * One retrain serves every signal queued during a run: drift wins the kind, the newest data paths win (a request
 * with a spec resets them to its input paths), metrics
 * merge (newest value per name), and the reasons are the first ten plus a count of the rest. The request ids are
 * kept (the newest hundred), and the newest request that brought a spec names the spec the retrain uses.
 */
export function mergeTrigger(pending: RetrainTrigger | undefined, next: Omit<RetrainTrigger, 'coalesced'>): RetrainTrigger {
  if (!pending) return { ...next, coalesced: 1 };
  const requestIds = [...(pending.requestIds ?? []), ...(next.requestIds ?? [])].slice(-REQUEST_IDS_KEPT);
  const specRequestId = next.specRequestId ?? pending.specRequestId;
  const kind = pending.kind === 'drift' || next.kind === 'drift' ? 'drift' : next.kind;
  // A request with its own spec brings its own input paths: data paths of signals before it no longer apply.
  const dataPaths = next.specRequestId !== undefined ? next.dataPaths : (next.dataPaths ?? pending.dataPaths);
  const metrics = pending.metrics || next.metrics ? { ...pending.metrics, ...next.metrics } : undefined;
  const omittedBefore = pending.omittedReasons ?? 0;
  const keptReasons = pending.reason.slice(0, pending.reason.length - reasonsText('', omittedBefore).length);
  const keep = pending.coalesced < COALESCED_REASONS_KEPT;
  const omitted = keep ? omittedBefore : omittedBefore + 1;
  return {
    kind,
    reason: keep ? `${pending.reason}; ${next.reason}` : reasonsText(keptReasons, omitted),
    ...(dataPaths ? { dataPaths } : {}),
    ...(metrics ? { metrics } : {}),
    coalesced: pending.coalesced + 1,
    ...(omitted > 0 ? { omittedReasons: omitted } : {}),
    ...(requestIds.length > 0 ? { requestIds } : {}),
    ...(specRequestId !== undefined ? { specRequestId } : {}),
  };
}

/** `refused` with one more entry, the oldest dropped past REFUSED_MESSAGES_KEPT. */
export function withRefusal(refused: RefusedMessage[] | undefined, entry: RefusedMessage): RefusedMessage[] {
  return [...(refused ?? []), entry].slice(-REFUSED_MESSAGES_KEPT);
}
