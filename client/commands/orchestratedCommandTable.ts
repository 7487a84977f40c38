// The orchestrated commands (demo, dev, worker, serve, run, drift, monitor, status, schedule, and in their place
// among them the decisions of decisionCommandTable.ts): their flags, declared once, and how each calls Temporal.
// Each loads the Temporal client and worker code when it runs, so --help starts without them.

import { InvalidInputError } from '../../core/invalidInputError.js';
import { QUEUE_NAMES, isQueueName, type QueueName } from '../../worker/queueNames.js';
import type { DriftMonitorStatus } from '../../workflows/contract.js';
import type { ScheduleList } from '../stateTables.js';
import { EXIT_CODES } from '../exitCodes.js';
import { listFlag, numberFlag, requiredString, stringFlag, type CommandSpec } from '../cliArgs.js';
import { DEMO_DEFAULTS } from '../demoDefaults.js';
import { parseDurationMs } from '../durationText.js';
import { approverOf, json, model, tableOrJson } from './commonFlags.js';
import { decisionCommands } from './decisionCommandTable.js';

const orchestrated = () => import('../orchestratedCommands.js');
const runRetrain = () => import('../runCommand.js');
const tables = () => import('../stateTables.js');

/** The shortest drift-monitor window: each window is one check of the serving log. */
const MIN_WINDOW_MS = 1000;
/** The most consecutive drifted windows `--hold` asks for: more would never signal a retrain in a model's life. */
const MAX_HOLD_WINDOWS = 10_000;

export const orchestratedCommands: CommandSpec[] = [
  {
    name: 'demo',
    summary:
      'the main job: retrain → gates → promotion → live traffic via rareflow serve → drift detected → retrain → canary → promotion; a bad challenger rolled back',
    flags: {
      rows: { type: 'integer', help: 'rows of generated training data', min: 1000, default: DEMO_DEFAULTS.rows, placeholder: 'N' },
      'live-rows': {
        type: 'integer',
        help: 'rows of each live traffic stream',
        min: 1000,
        default: DEMO_DEFAULTS.liveRows,
        placeholder: 'N',
      },
      rate: {
        type: 'number',
        help: 'requests per second sent to the scoring service',
        min: 10,
        max: 100_000,
        default: DEMO_DEFAULTS.rate,
        placeholder: 'R',
      },
      'window-ms': {
        type: 'integer',
        help: 'drift monitor and canary window',
        min: 200,
        default: DEMO_DEFAULTS.windowMs,
        placeholder: 'MS',
      },
      seed: { type: 'integer', help: 'seed', default: DEMO_DEFAULTS.seed, placeholder: 'S' },
      json,
    },
    run: async (f) => {
      const r = await (
        await import('../demo.js')
      ).runDemo({
        ...DEMO_DEFAULTS,
        rows: numberFlag(f, 'rows')!,
        liveRows: numberFlag(f, 'live-rows')!,
        rate: numberFlag(f, 'rate')!,
        windowMs: numberFlag(f, 'window-ms')!,
        seed: numberFlag(f, 'seed')!,
        json: Boolean(f.json),
      });
      const [first, second, third] = r.results;
      const ok =
        first?.outcome === 'promoted' &&
        second?.trigger.kind === 'drift' &&
        second.outcome === 'promoted' &&
        third?.outcome === 'rolled-back';
      return {
        value: {
          command: 'demo',
          outcomes: r.outcomes,
          runs: r.results.map((x) => ({
            runId: x.runId,
            trigger: x.trigger.kind,
            outcome: x.outcome,
            model: x.modelSha256,
            ...(x.canary ? { canary: { outcome: x.canary.outcome, windows: x.canary.windows.length } } : {}),
          })),
          stationaryWindows: r.stationaryWindows,
          windowsToDetect: r.windowsToDetect,
          load: r.load,
          wallSeconds: r.wallSeconds,
        },
        exitCode: ok ? EXIT_CODES.success : EXIT_CODES.verdictFailed,
        shownToHuman: true,
        text: ok
          ? 'demo finished: promoted, drift detected on live traffic, retrained and promoted through the canary; the bad challenger was rolled back'
          : `demo finished with outcomes ${r.outcomes.join(', ')} (expected promoted, promoted after a drift signal, rolled-back; see above)`,
      };
    },
  },
  {
    name: 'dev',
    summary: 'run the embedded Temporal dev server, a worker and the Web UI until Ctrl-C',
    flags: {},
    run: async (_f, _p, say) => {
      await (await orchestrated()).devCommand(say);
      return { value: { stopped: true } };
    },
  },
  {
    name: 'worker',
    summary: 'run a worker against TEMPORAL_ADDRESS (or the embedded server)',
    usage: 'rareflow worker [--queues workflows,compute,registry]',
    flags: {
      queues: {
        type: 'list',
        help: 'workflows, compute and/or registry (default all three; exactly one process may serve registry)',
        placeholder: 'LIST',
      },
    },
    run: async (f, _p, say) => {
      const queues: string[] = listFlag(f, 'queues') ?? [...QUEUE_NAMES];
      for (const [i, q] of queues.entries()) {
        if (!isQueueName(q)) throw new InvalidInputError('--queues', `--queues: expected workflows, compute and/or registry, got "${q}"`);
        if (queues.indexOf(q) !== i) throw new InvalidInputError('--queues', `--queues: "${q}" is listed twice; list each queue once`);
      }
      await (await orchestrated()).workerCommand(say, queues as QueueName[]);
      return { value: { stopped: true } };
    },
  },
  {
    name: 'serve',
    summary: "HTTP scoring service of a model's champion, splitting traffic to a canary challenger (or of one fixed model)",
    usage: 'rareflow serve --model MODEL [--host 127.0.0.1] [--port 8080] [--flush-ms 1000]',
    flags: {
      model: {
        type: 'string',
        help: 'NAME (or NAME@champion) serves its published champion and canary challenger; a model file, NAME/VERSION or NAME@ALIAS serves that one model (no canary, no hot swap)',
        required: true,
        placeholder: 'MODEL',
      },
      host: { type: 'string', help: 'address to listen on (default 127.0.0.1: loopback only)', placeholder: 'ADDR' },
      port: { type: 'integer', help: 'HTTP port (default 8080; 0 picks a free one)', min: 0, max: 65535, placeholder: 'P' },
      'flush-ms': {
        type: 'integer',
        help: 'how often the prediction and feedback logs are written (default 1000)',
        min: 10,
        placeholder: 'MS',
      },
    },
    run: async (f, _p, say) => {
      const host = stringFlag(f, 'host');
      const port = numberFlag(f, 'port');
      const flushMs = numberFlag(f, 'flush-ms');
      await (
        await import('../serveCommand.js')
      ).serveCommand(
        {
          model: requiredString(f, 'model'),
          ...(host ? { host } : {}),
          ...(port !== undefined ? { port } : {}),
          ...(flushMs !== undefined ? { flushMs } : {}),
        },
        say,
      );
      return { value: { stopped: true } };
    },
  },
  {
    name: 'run',
    summary: "start (or signal) a model's lifecycle for a retrain from a pipeline spec",
    flags: {
      config: { type: 'string', help: 'pipeline spec (see README)', required: true, placeholder: 'PIPELINE.json' },
      wait: { type: 'boolean', help: 'wait for the retrain and print its outcome; exit 1 unless it was promoted' },
      reason: { type: 'string', help: 'why this retrain (recorded)', default: 'rareflow run', placeholder: 'TEXT' },
      json,
    },
    run: async (f, _p, say) => {
      const r = await (
        await runRetrain()
      ).runCommand(say, { config: requiredString(f, 'config'), wait: Boolean(f.wait), reason: stringFlag(f, 'reason')! });
      // --wait: exit 0 only when the retrain was promoted; any other outcome (rejected, rolled back...) exits 1.
      return {
        value: r,
        shownToHuman: 'outcome' in r,
        exitCode: 'outcome' in r && r.outcome !== 'promoted' ? EXIT_CODES.verdictFailed : EXIT_CODES.success,
      };
    },
  },
  {
    name: 'drift',
    summary: "signal drift to a model's lifecycle; it starts a retrain (coalesced with one running)",
    flags: {
      model,
      reason: { type: 'string', help: 'what drifted', required: true, placeholder: 'TEXT' },
      data: { type: 'list', help: 'new data to retrain on', placeholder: 'FILES', files: true },
      evidence: {
        type: 'string',
        help: 'JSON object whose numbers (top level and under "metrics") travel with the signal and are recorded',
        placeholder: 'FILE.json',
      },
      json,
    },
    run: async (f, _p, say) => {
      const data = listFlag(f, 'data');
      const evidence = stringFlag(f, 'evidence');
      return {
        value: await (
          await orchestrated()
        ).driftCommand(say, {
          model: requiredString(f, 'model'),
          reason: requiredString(f, 'reason'),
          ...(data ? { data } : {}),
          ...(evidence ? { evidence } : {}),
        }),
      };
    },
  },
  {
    name: 'monitor',
    summary: "a model's drift monitor: start, stop, status, or report (windows of serving traffic vs the champion's training data)",
    usage:
      'rareflow monitor start --model M [--window 1h] [--hold 3] [--cool-down 6h] [--label-delay 30d] [--min-positives 200] | stop --model M | status --model M' +
      ' | report --model M [--window ID | --event AT] --out DIR',
    positionals: 'start|stop|status|report',
    actions: {
      start: ['model', 'window', 'hold', 'cool-down', 'label-delay', 'min-positives', 'pipeline-input'],
      stop: ['model', 'by'],
      status: ['model'],
      report: ['model', 'window', 'event', 'out'],
    },
    flags: {
      model,
      // A duration for start, a window id for report: read per action in run().
      window: {
        type: 'string',
        help: 'start: length of a window, e.g. 15m or 1h (default 1h); report: the window id FROM_MS-TO_MS (default the latest)',
        placeholder: 'DURATION|ID',
      },
      event: { type: 'string', help: 'report: the drift event at this time (ISO 8601, as recorded)', placeholder: 'AT' },
      out: { type: 'string', help: 'report: directory for report.html and report.json', placeholder: 'DIR' },
      hold: {
        type: 'integer',
        help: 'consecutive drifted windows before a retrain is signalled (default 3)',
        min: 1,
        max: MAX_HOLD_WINDOWS,
        placeholder: 'N',
      },
      'cool-down': { type: 'duration', help: 'quiet time after a signal or a new champion (default 6h)', placeholder: 'DURATION' },
      'label-delay': {
        type: 'duration',
        help: 'how long labels take to arrive after their predictions, e.g. 30d: label tests then read the window that long before (default: labels are judged in the window of their predictions)',
        placeholder: 'DURATION',
      },
      'min-positives': {
        type: 'integer',
        help: 'labelled positives the recent window needs before the retrain on it (default 200)',
        min: 1,
        placeholder: 'N',
      },
      'pipeline-input': { type: 'boolean', help: "retrain on the pipeline's own input instead of the recent serving window" },
      by: { type: 'string', help: 'stop: who stops it (default USER@HOST)', placeholder: 'NAME' },
      json,
    },
    run: async (f, p, say) => {
      const action = p[0];
      if (!action)
        throw new InvalidInputError('monitor', 'rareflow monitor: expected start, stop, status or report; see rareflow monitor --help');
      const windowText = stringFlag(f, 'window');
      if (action === 'report') {
        const event = stringFlag(f, 'event');
        const report = await (
          await import('../monitorReportCommand.js')
        ).monitorReportCommand(say, {
          model: requiredString(f, 'model'),
          out: requiredString(f, 'out'),
          ...(windowText !== undefined ? { window: windowText } : {}),
          ...(event !== undefined ? { event } : {}),
        });
        return { value: report };
      }
      // The workflow's own defaults apply to what is not given (contract.ts DriftMonitorInput).
      const windowMs = windowText !== undefined ? parseDurationMs('--window', windowText) : undefined;
      if (windowMs !== undefined && windowMs < MIN_WINDOW_MS) {
        // Each window is one check (an activity and a recorded window): shorter ones only cost, and run every second anyway.
        throw new InvalidInputError(
          '--window',
          `--window ${windowText}: a monitor window is at least 1s (one check per window), got ${windowMs} ms`,
        );
      }
      const coolDownMs = numberFlag(f, 'cool-down');
      const holdWindows = numberFlag(f, 'hold');
      const minRetrainPositives = numberFlag(f, 'min-positives');
      const labelDelayMs = numberFlag(f, 'label-delay');
      const input = {
        ...(labelDelayMs !== undefined && labelDelayMs > 0 ? { labelDelayMs } : {}),
        ...(windowMs !== undefined ? { windowMs } : {}),
        ...(coolDownMs !== undefined ? { coolDownMs } : {}),
        ...(holdWindows !== undefined ? { holdWindows } : {}),
        ...(minRetrainPositives !== undefined ? { minRetrainPositives } : {}),
        ...(f['pipeline-input'] ? { retrainOnRecentWindow: false } : {}),
      };
      const value = await (
        await import('../monitorCommand.js')
      ).monitorCommand(say, { action, model: requiredString(f, 'model'), input, by: approverOf(f) });
      if (action !== 'status') return { value };
      return tableOrJson(f, value as DriftMonitorStatus, (await tables()).formatMonitor);
    },
  },
  ...decisionCommands,
  {
    name: 'status',
    summary: "a model lifecycle's phase, pending retrain, champion and recent runs",
    flags: { model, json },
    run: async (f, _p, say) =>
      tableOrJson(f, await (await orchestrated()).statusCommand(say, { model: requiredString(f, 'model') }), (await tables()).formatStatus),
  },
  {
    name: 'schedule',
    summary: 'scheduled retrains as Temporal Schedules: create, list, pause, unpause, delete',
    usage:
      'rareflow schedule create --model M (--every 24h | --cron "0 3 * * *") [--jitter 10m] | list | pause --model M [--note TEXT] | unpause --model M | delete --model M',
    positionals: 'create|list|pause|unpause|delete',
    actions: {
      create: ['model', 'every', 'cron', 'jitter'],
      list: [],
      pause: ['model', 'id', 'note'],
      unpause: ['model', 'id', 'note'],
      delete: ['model', 'id'],
    },
    // create --id once made the model's own schedule id.
    strayFlagNotes: { 'create --id': "a model's schedule is named by its model, one per model: pass --model" },
    flags: {
      model: { type: 'string', help: 'model name', placeholder: 'NAME' },
      // Durations kept as typed: the schedule echoes them as given (checked below, before Temporal is started).
      every: { type: 'string', help: 'interval, e.g. 24h or 30m', placeholder: 'DURATION' },
      cron: { type: 'string', help: 'cron expression (UTC), e.g. "0 3 * * *"', placeholder: 'EXPR' },
      jitter: {
        type: 'string',
        help: 'random delay up to this long per run, e.g. 10m, so many models do not retrain at once',
        placeholder: 'DURATION',
      },
      note: { type: 'string', help: 'why a schedule is paused or unpaused (shown by list)', placeholder: 'TEXT' },
      id: { type: 'string', help: 'schedule id instead of --model', placeholder: 'ID' },
      json,
    },
    run: async (f, p, say) => {
      const action = p[0];
      if (!action)
        throw new InvalidInputError(
          'schedule',
          'rareflow schedule: expected create, list, pause, unpause or delete; see rareflow schedule --help',
        );
      const m = stringFlag(f, 'model');
      const every = stringFlag(f, 'every');
      const cron = stringFlag(f, 'cron');
      const jitter = stringFlag(f, 'jitter');
      const note = stringFlag(f, 'note');
      const id = stringFlag(f, 'id');
      if (every !== undefined) parseDurationMs('--every', every);
      if (jitter !== undefined) parseDurationMs('--jitter', jitter);
      const value = await (
        await import('../scheduleCommand.js')
      ).scheduleCommand(say, {
        action,
        ...(m ? { model: m } : {}),
        ...(every ? { every } : {}),
        ...(cron ? { cron } : {}),
        ...(jitter ? { jitter } : {}),
        ...(note ? { note } : {}),
        ...(id ? { id } : {}),
      });
      if (action !== 'list') return { value };
      return tableOrJson(f, value as ScheduleList, (await tables()).formatSchedules);
    },
  },
];
