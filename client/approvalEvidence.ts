// The evidence of a retrain that waits for a human decision, read from what the run already holds: its
// validateModel activity's result in the run's workflow history (per-class summary, gate verdict and reasons,
// report files) and the model it judged. Nothing is added to workflow state, so histories replay unchanged.

import { fileURLToPath } from 'node:url';
import { defaultPayloadConverter, isGrpcServiceError, type Client } from '@temporalio/client';
import type { ValidationSummary } from '../workflows/contract.js';

export interface ApprovalEvidence {
  runId: string;
  /** The model awaiting the decision. */
  modelSha256: string;
  validation: ValidationSummary;
  /** report.json of the validation, a local path. */
  reportPath: string;
  /** The self-contained HTML report, a local path. */
  reportHtmlPath?: string;
}

/** gRPC status NOT_FOUND: the history of a workflow id Temporal does not know. */
const GRPC_NOT_FOUND = 5;

interface Payloads {
  payloads?: Parameters<typeof defaultPayloadConverter.fromPayload>[0][] | null;
}

const first = (p: Payloads | null | undefined): unknown => {
  const payload = p?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
};

const localPath = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);

/**
 * The evidence of run `runId` (the retrain's workflow id), or undefined when its validation has not completed
 * (or the run is unknown to Temporal).
 */
export async function approvalEvidence(client: Client, runId: string): Promise<ApprovalEvidence | undefined> {
  let history;
  try {
    history = await client.workflow.getHandle(runId).fetchHistory();
  } catch (err) {
    // An unknown run: the caller's own request (the approval Update, the status query) says so in its words.
    if (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND) return undefined;
    throw err;
  }
  const events = history.events ?? [];
  // The last validateModel scheduled, and its completion: a retried activity completes once, under its scheduled id.
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'validateModel').at(-1);
  if (!scheduled?.eventId) return undefined;
  const completed = events.find(
    (e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === String(scheduled.eventId),
  );
  if (!completed) return undefined;
  const input = first(scheduled.activityTaskScheduledEventAttributes?.input as Payloads) as { model?: { sha256?: string } } | undefined;
  const result = first(completed.activityTaskCompletedEventAttributes?.result as Payloads) as
    { report: { uri: string }; html?: { uri: string }; summary: ValidationSummary } | undefined;
  if (!result?.summary) return undefined;
  return {
    runId,
    modelSha256: input?.model?.sha256 ?? '',
    validation: result.summary,
    reportPath: localPath(result.report.uri),
    ...(result.html ? { reportHtmlPath: localPath(result.html.uri) } : {}),
  };
}
