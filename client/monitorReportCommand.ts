// `rareflow monitor report`: the drift report of a monitor window or a drift event, written as report.html (the
// page) and report.json (the same data) to --out, read from the serving logs, the artifact store and the registry.

import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkResourceName } from '../core/resourceName.js';
import { renderDriftReport } from '../core/report/driftReportPage.js';
import { ArtifactStore } from '../data/artifactStore.js';
import { openRegistryForReading } from '../data/registryReadAccess.js';
import { loadConfig } from '../infra/rareflowConfig.js';
import { monitorWindowReport } from '../stages/monitorWindowReport.js';
import type { Say } from './cliArgs.js';
import { requireReportDirectory, writeFileAtomically } from './localFiles.js';

export interface MonitorReportArgs {
  model: string;
  window?: string;
  event?: string;
  out: string;
}

export async function monitorReportCommand(say: Say, a: MonitorReportArgs) {
  checkResourceName(a.model, '--model');
  await requireReportDirectory(a.out, '--out');
  const config = loadConfig();
  const gathered = await monitorWindowReport({
    artifacts: new ArtifactStore(config.artifactRoot),
    servingDir: config.servingDir,
    modelName: a.model,
    ...(a.window !== undefined ? { window: a.window } : {}),
    ...(a.event !== undefined ? { event: a.event } : {}),
    driftEvents: async () => {
      const reader = await openRegistryForReading(config.registryPath);
      try {
        return await reader.registry.driftEvents(a.model);
      } finally {
        await reader.close();
      }
    },
  });
  const r = gathered.report;
  const html = renderDriftReport({
    title: `Drift report: ${a.model}, ${gathered.event ? `drift event ${gathered.event.at}` : `window ${gathered.window.id}`}`,
    details: [
      `window ${gathered.window.from} – ${gathered.window.to} (id ${gathered.window.id})`,
      `champion ${gathered.championSha256}`,
      `judged ${gathered.judged}`,
      `${r.rows} rows checked, ${r.labelled} labelled${r.labelsFrom ? ` (of ${r.labelsFrom.name}: labels come late)` : ''}${gathered.unreadableRows > 0 ? `, ${gathered.unreadableRows} left out (unreadable features)` : ''}`,
      ...(gathered.event ? [`event raised by ${gathered.event.source}${gathered.event.reason ? `: ${gathered.event.reason}` : ''}`] : []),
    ],
    report: r,
    scoreReference: gathered.scoreReference,
    thresholds: { fdr: gathered.options.fdr, psiThreshold: gathered.options.psiThreshold, ksThreshold: gathered.options.ksThreshold },
  });
  const out = resolve(a.out);
  await mkdir(out, { recursive: true });
  await writeFileAtomically(join(out, 'report.json'), `${JSON.stringify(gathered, null, 1)}\n`);
  await writeFileAtomically(join(out, 'report.html'), html);
  say(`drift report of ${a.model} window ${gathered.window.id}: ${r.drifted ? 'drift' : 'no drift'}; wrote ${join(out, 'report.html')}`);
  const damaged = gathered.damagedWindowRecords ?? [];
  const others = gathered.otherChampions ?? [];
  const warnings = [
    ...(damaged.length
      ? [
          `${damaged.length} monitor window record${damaged.length === 1 ? '' : 's'} could not be read (cut short) and ${damaged.length === 1 ? 'was' : 'were'} left out of the choice of window: ${damaged.join(', ')}; move ${damaged.length === 1 ? 'it' : 'them'} aside (the monitor writes a record per window it checks)`,
        ]
      : []),
    ...(others.length
      ? [
          `the window was also served by ${others.map((o) => `champion ${o.sha256.slice(0, 12)} (${o.rows} rows)`).join(', ')}: this report judges only the ${r.rows} rows of champion ${gathered.championSha256.slice(0, 12)} against its reference; give a --window within one champion's time for the others`,
        ]
      : []),
  ];
  return {
    ...(warnings.length ? { warnings } : {}),
    command: 'monitor report',
    model: a.model,
    window: gathered.window,
    ...(gathered.event ? { event: gathered.event } : {}),
    judged: gathered.judged,
    drifted: r.drifted,
    reasons: r.reasons,
    html: join(out, 'report.html'),
    json: join(out, 'report.json'),
  };
}
