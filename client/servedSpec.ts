// Whether the retrain that served a `run` request trained with that request's pipeline spec. When a newer request's
// spec replaced it before the retrain started, `run --wait` warns; but two requests with the same spec (a second
// `run` of one file, say) leave nothing to warn about. The spec a retrain used is read from its workflow's start
// event; the data paths are left out of the comparison (a drift signal's data is told apart on its own).

import { defaultPayloadConverter, type Client } from '@temporalio/client';
import type { PipelineSpec } from '../workflows/contract.js';

/** Deep equality of two JSON values, whatever the order of their keys. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The spec without its data paths. */
function withoutPaths(spec: PipelineSpec): unknown {
  return { ...spec, input: { ...spec.input, paths: [] } };
}

/**
 * True when retrain `runId` was started with a spec equal to `spec` (its data paths aside); false when it differs
 * or cannot be read (a warning that may be needless is better than none).
 */
export async function servedWithSameSpec(client: Client, runId: string, spec: PipelineSpec): Promise<boolean> {
  try {
    const history = await client.workflow.getHandle(runId).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) return false;
    const input = defaultPayloadConverter.fromPayload(payload) as { spec?: PipelineSpec } | undefined;
    return input?.spec !== undefined && sameJson(withoutPaths(input.spec), withoutPaths(spec));
  } catch {
    return false;
  }
}
