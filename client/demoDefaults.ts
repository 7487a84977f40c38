// The demo's options and defaults, apart from the demo itself so that the CLI's help can show them without
// loading Temporal.

export interface DemoOptions {
  /** Rows of the training file. @default 1_000_000 */
  rows: number;
  /** Rows of each live traffic stream (before and after drift). @default 150_000 */
  liveRows: number;
  positiveRate: number;
  features: number;
  /** Requests per second the load generator sends to `rareflow serve`. @default 1200 */
  rate: number;
  /** Drift monitor window and canary observation window (ms). @default 3000 */
  windowMs: number;
  seed: number;
  modelName: string;
  json: boolean;
}

export const DEMO_DEFAULTS: DemoOptions = {
  rows: 1_000_000,
  liveRows: 150_000,
  positiveRate: 1 / 100,
  features: 20,
  rate: 1200,
  windowMs: 3000,
  seed: 7,
  modelName: 'demo-fraud',
  json: false,
};
