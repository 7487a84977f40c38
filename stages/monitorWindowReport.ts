// Gathers the drift report of one monitor window or drift event: finds the window (the monitor's record, a drift
// event's evidence, or a given time range), its champion and that champion's stored reference, and re-runs the
// check on the serving log so the report carries every histogram the page shows.

import { resolveOptions, type DriftOptions } from '../core/drift/driftOptions.js';
import type { DriftReport } from '../core/drift/driftReport.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { ArtifactStore } from '../data/artifactStore.js';
import type { ArtifactRef } from '../core/pipelineTypes.js';
import { listMonitorWindows, monitorWindowId, type MonitorWindowRecord } from '../data/monitorWindows.js';
import type { DriftEventRecord } from '../data/registryDriftEvents.js';
import { windowChampions } from '../data/servingLogWindow.js';
import { servedModelNames } from '../data/servingState.js';
import { checkServedWindow, loadStoredReference } from './driftWindow.js';

export interface MonitorReportRequest {
  artifacts: ArtifactStore;
  servingDir: string;
  modelName: string;
  /** `FROM_MS-TO_MS`; absent with no event: the latest recorded window. */
  window?: string;
  /** A drift event's `at` (ISO 8601); its events are read only then. */
  event?: string;
  /** The model's drift events (from the registry), read when `event` is given. */
  driftEvents?: () => Promise<DriftEventRecord[]>;
}

export interface MonitorReport {
  model: string;
  source: 'window' | 'event';
  window: { id: string; fromMs: number; toMs: number; from: string; to: string };
  event?: { at: string; source: string; reason: string | null };
  championSha256: string;
  /** The options the window was judged with (the monitor's, when it recorded the window), defaults filled in. */
  options: DriftOptions;
  unreadableRows: number;
  /** The champion's validation-score bins and threshold. */
  scoreReference: { edges: number[]; proportions: number[]; threshold: number };
  report: DriftReport;
  /**
   * Whether `report` is the monitor's own check of the window (stored with its record), or the window's rows checked
   * again now (no record or stored report: a `--window` range, an event, a record from before reports were stored).
   */
  judged: 'as the monitor checked it' | 'from the serving log as it is now';
  /** Other models that served as champion in the window, with their rows: left out of this report. */
  otherChampions?: Array<{ sha256: string; rows: number }>;
  /** Window records that could not be read (cut short) and were left out of the choice, by path. */
  damagedWindowRecords?: string[];
}

const WINDOW_ID = /^(\d+)-(\d+)$/;

function listed(items: string[], none: string): string {
  if (items.length === 0) return none;
  const shown = items.slice(-10);
  return `${items.length > shown.length ? `… ${items.length - shown.length} more, ` : ''}${shown.join(', ')}`;
}

interface WindowChoice {
  fromMs: number;
  toMs: number;
  record?: MonitorWindowRecord;
  event?: DriftEventRecord;
}

async function chooseWindow(req: MonitorReportRequest, windows: MonitorWindowRecord[]): Promise<WindowChoice> {
  if (req.window !== undefined && req.event !== undefined)
    throw new InvalidInputError('--window', '--window and --event: expected one of them (or neither, for the latest window), got both');
  if (req.event !== undefined) {
    const events = req.driftEvents ? await req.driftEvents() : [];
    const wanted = Date.parse(req.event);
    const event = events.find((e) => e.at === req.event || (Number.isFinite(wanted) && Date.parse(e.at) === wanted));
    if (!event)
      throw new InvalidInputError(
        '--event',
        `--event: model ${req.modelName} has no drift event at "${req.event}"; its drift events: ${listed(
          events.map((e) => e.at),
          'none',
        )}`,
      );
    const evidence = (event.evidence ?? {}) as { fromMs?: unknown; toMs?: unknown };
    if (typeof evidence.fromMs !== 'number' || typeof evidence.toMs !== 'number')
      throw new InvalidInputError(
        '--event',
        `--event: the drift event at ${event.at} came from ${event.source}, not from a monitor window, so it has no window to report`,
      );
    const record = windows.find((w) => w.fromMs === evidence.fromMs && w.toMs === evidence.toMs);
    return { fromMs: evidence.fromMs, toMs: evidence.toMs, event, ...(record ? { record } : {}) };
  }
  if (req.window !== undefined) {
    const m = WINDOW_ID.exec(req.window.trim());
    if (!m || Number(m[1]) >= Number(m[2]))
      throw new InvalidInputError(
        '--window',
        `--window: expected a window id FROM_MS-TO_MS with FROM_MS < TO_MS (ms since the epoch, as rareflow monitor status lists them), got "${req.window}"`,
      );
    const fromMs = Number(m[1]);
    const toMs = Number(m[2]);
    const record = windows.find((w) => w.id === monitorWindowId(fromMs, toMs));
    return { fromMs, toMs, ...(record ? { record } : {}) };
  }
  const latest = windows.filter((w) => w.status === 'checked').at(-1);
  if (!latest) {
    // Windows recorded without a check (no traffic, too few rows, no champion): the monitor runs, and says why.
    if (windows.length > 0)
      throw new InvalidInputError(
        '--model',
        `model ${req.modelName} has no monitor window with a drift check yet: the windows recorded were not checked ` +
          `(${listed(
            windows.map((w) => `${w.id}: ${w.status}`),
            'none',
          )}); a report needs a window that served enough requests to check, or give --window FROM_MS-TO_MS to read one anyway`,
      );
    throw new InvalidInputError(
      '--model',
      `model ${req.modelName} has no monitor window yet (recorded windows: none); ` +
        `start one with rareflow monitor start --model ${req.modelName}, or give --window FROM_MS-TO_MS`,
    );
  }
  return { fromMs: latest.fromMs, toMs: latest.toMs, record: latest };
}

/** The report of the chosen window; every refusal (unknown model, window, event; no reference; no rows) is an input error. */
export async function monitorWindowReport(req: MonitorReportRequest): Promise<MonitorReport> {
  const models = await servedModelNames(req.servingDir);
  if (!models.includes(req.modelName))
    throw new InvalidInputError(
      '--model',
      `--model: no model "${req.modelName}" has a serving log under ${req.servingDir}; models there: ${listed(models, 'none')}`,
    );
  const damaged: string[] = [];
  const windows = await listMonitorWindows(req.servingDir, req.modelName, damaged);
  const choice = await chooseWindow(req, windows);
  const id = monitorWindowId(choice.fromMs, choice.toMs);
  const served = await windowChampions({ servingDir: req.servingDir, modelName: req.modelName, fromMs: choice.fromMs, toMs: choice.toMs });
  const championSha256 = choice.record?.championSha256 ?? served[0]?.sha256 ?? null;
  // A span two champions served is judged on one champion's rows (each against its own reference): the others' said.
  const leftOut = served.filter((s) => s.sha256 !== championSha256);
  if (championSha256 === null)
    throw new InvalidInputError(
      '--window',
      `window ${id} of model ${req.modelName}: no champion rows were served in it; recorded windows: ${listed(
        windows.map((w) => w.id),
        'none',
      )}`,
    );
  const lookup = await loadStoredReference(req.artifacts, championSha256);
  if (lookup.status === 'no-reference')
    throw new InvalidInputError(
      '--model',
      `model ${req.modelName}: its champion ${championSha256.slice(0, 12)} has no drift reference in the artifact store (a retrain builds it); set RAREFLOW_ARTIFACTS to the store the workers use`,
    );
  if (lookup.status === 'reference-failed-verification') throw new InvalidInputError('--model', lookup.message);
  const options = choice.record?.options ?? {};
  // A window the monitor checked is shown as it judged it: the log read again now holds rows flushed and labels
  // arrived after the check, and a recomputed verdict could contradict the one the monitor acted on.
  const asChecked = choice.record?.report ? await storedDriftReport(req.artifacts, choice.record.report) : undefined;
  const checked = asChecked
    ? { report: asChecked, unreadableRows: 0 }
    : await checkServedWindow({
        stored: lookup.stored,
        servingDir: req.servingDir,
        modelName: req.modelName,
        fromMs: choice.fromMs,
        toMs: choice.toMs,
        modelSha256: championSha256,
        options,
        // The monitor's label delay: the report reads the same earlier rows for its label tests.
        ...(choice.record?.labelDelayMs ? { labelDelayMs: choice.record.labelDelayMs } : {}),
      });
  if (checked.report === null)
    throw new InvalidInputError(
      '--window',
      `window ${id} of model ${req.modelName}: no readable rows of champion ${championSha256.slice(0, 12)} (${checked.unreadableRows} unreadable)`,
    );
  const prediction = lookup.stored.reference.prediction;
  const evidence = (choice.event?.evidence ?? {}) as { reason?: unknown };
  return {
    model: req.modelName,
    source: choice.event ? 'event' : 'window',
    window: {
      id,
      fromMs: choice.fromMs,
      toMs: choice.toMs,
      from: new Date(choice.fromMs).toISOString(),
      to: new Date(choice.toMs).toISOString(),
    },
    ...(choice.event
      ? {
          event: {
            at: choice.event.at,
            source: choice.event.source,
            reason: typeof evidence.reason === 'string' ? evidence.reason : null,
          },
        }
      : {}),
    championSha256,
    judged: asChecked ? 'as the monitor checked it' : 'from the serving log as it is now',
    options: resolveOptions(options),
    unreadableRows: checked.unreadableRows,
    scoreReference: { edges: [...prediction.bins.edges], proportions: [...prediction.bins.proportions], threshold: prediction.threshold },
    report: checked.report,
    ...(damaged.length ? { damagedWindowRecords: damaged } : {}),
    ...(leftOut.length ? { otherChampions: leftOut } : {}),
  };
}

/** The drift report a monitor check stored, or undefined when it is gone or fails its sha256 (then it is recomputed). */
async function storedDriftReport(artifacts: ArtifactStore, ref: ArtifactRef): Promise<DriftReport | undefined> {
  try {
    return JSON.parse((await artifacts.readVerified(ref)).toString('utf8')) as DriftReport;
  } catch {
    return undefined;
  }
}
