// Every workflow, re-exported: the worker's single workflowsPath.
export { retrainPipeline } from './retrainPipeline.js';
export { modelLifecycle } from './modelLifecycle.js';
export { scheduledRetrain } from './scheduledRetrain.js';
export { adaptiveSampling } from './adaptiveSampling.js';
export { canaryRollout } from './canaryRollout.js';
export { driftMonitor } from './driftMonitor.js';
