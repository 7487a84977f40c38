// The commands people decide with (approve, reject, canary, cancel): a retrain held for a human decision, the running
// canary rollout of a model, and a retrain to stop. Their flags, declared once; each loads the Temporal client when it runs.

import { InvalidInputError } from '../../core/invalidInputError.js';
import { requiredString, stringFlag, type CommandSpec } from '../cliArgs.js';
import { approverOf, json, model, reasonOf, tableOrJson } from './commonFlags.js';

const orchestrated = () => import('../orchestratedCommands.js');
const tables = () => import('../stateTables.js');
const cancel = () => import('../cancelCommand.js');

const runId = { type: 'string', help: 'retrain run id (see rareflow status)', required: true, placeholder: 'ID' } as const;

export const decisionCommands: CommandSpec[] = [
  {
    name: 'approve',
    summary: 'approve a retrain waiting for a human decision',
    flags: { model, run: runId, by: { type: 'string', help: 'who decides (default USER@HOST)', placeholder: 'NAME' }, json },
    run: async (f, _p, say) => {
      const value = await (
        await orchestrated()
      ).decideCommand(say, { model: requiredString(f, 'model'), run: requiredString(f, 'run'), approved: true, by: approverOf(f) });
      const { formatDecision } = await tables();
      return tableOrJson(f, value, (v, now) => formatDecision(v, v.evidence, now));
    },
  },
  {
    name: 'reject',
    summary: 'reject a retrain waiting for a human decision',
    flags: {
      model,
      run: runId,
      by: { type: 'string', help: 'who decides (default USER@HOST)', placeholder: 'NAME' },
      why: { type: 'string', help: 'reason, recorded', placeholder: 'TEXT' },
      json,
    },
    run: async (f, _p, say) => {
      const why = reasonOf(f);
      const value = await (
        await orchestrated()
      ).decideCommand(say, {
        model: requiredString(f, 'model'),
        run: requiredString(f, 'run'),
        approved: false,
        by: approverOf(f),
        ...(why ? { why } : {}),
      });
      const { formatDecision } = await tables();
      return tableOrJson(f, value, (v, now) => formatDecision(v, v.evidence, now));
    },
  },
  {
    name: 'canary',
    summary: 'the running canary rollout of a model: status, pause, resume or abort (abort rolls back)',
    usage:
      'rareflow canary status --model M [--json] | pause|resume --model M [--by NAME] [--json] | abort --model M [--by NAME] [--why TEXT] [--json]',
    positionals: 'status|pause|resume|abort',
    actions: { status: ['model'], pause: ['model', 'by'], resume: ['model', 'by'], abort: ['model', 'by', 'why'] },
    flags: {
      model,
      by: { type: 'string', help: 'pause, resume, abort: who acts (default USER@HOST), recorded', placeholder: 'NAME' },
      why: { type: 'string', help: 'abort: the reason, recorded', placeholder: 'TEXT' },
      json,
    },
    run: async (f, p, say) => {
      const action = p[0];
      if (!action)
        throw new InvalidInputError('canary', 'rareflow canary: expected status, pause, resume or abort; see rareflow canary --help');
      const why = reasonOf(f);
      const value = await (
        await orchestrated()
      ).canaryCommand(say, { action, model: requiredString(f, 'model'), by: approverOf(f), ...(why ? { why } : {}) });
      return tableOrJson(f, value, (await tables()).formatCanary);
    },
  },
  {
    name: 'cancel',
    summary: "stop a model's running retrain (a canary it runs is rolled back; the run is recorded as cancelled)",
    flags: {
      model,
      run: { ...runId, required: false, help: 'cancel only this run (see rareflow status): a cancel sent twice never stops the next one' },
      json,
    },
    run: async (f, _p, say) => {
      const { cancelCommand, formatCancellation } = await cancel();
      const run = stringFlag(f, 'run');
      const value = await cancelCommand(say, { model: requiredString(f, 'model'), ...(run !== undefined ? { run } : {}) });
      return tableOrJson(f, value, formatCancellation);
    },
  },
];
