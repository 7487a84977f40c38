// The Prometheus text (format 0.0.4) of a prom-client Registry as the scoring service serves it: families one after
// another, and histogram buckets with `le` after the series labels.

import { Histogram, Registry } from 'prom-client';

/** The content type of `renderExposition`'s text. */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

type LabelSet = Record<string, string | number>;

/** The sample values prom-client's registry formats (lib/registry.js); not part of its type declarations. */
interface PromStringData {
  values: Array<{ labels: LabelSet; sharedLabels?: LabelSet }>;
}

const NO_LABELS: LabelSet = Object.freeze({});

/**
 * A prom-client Histogram whose bucket lines read `name_bucket{arm="champion",le="0.001"}`, as the Go client writes
 * them, rather than prom-client's `{le="0.001",arm="champion"}`. Both are valid; readers that match a series by its
 * leading labels (dashboards, greps, this service's tests) see the same lines as before prom-client.
 */
export class LeLastHistogram<T extends string = string> extends Histogram<T> {
  /** Overrides the hook prom-client's Registry renders from, moving each series' labels in front of `le`. */
  async getForPromString(): Promise<PromStringData> {
    const base = Histogram.prototype as unknown as { getForPromString(this: Histogram<T>): Promise<PromStringData> };
    const data = await base.getForPromString.call(this);
    for (const v of data.values) {
      if (v.sharedLabels === undefined) continue;
      v.labels = { ...v.sharedLabels, ...v.labels };
      v.sharedLabels = NO_LABELS;
    }
    return data;
  }
}

/** The registry's families in registration order, one line each, without prom-client's blank line between families. */
export async function renderExposition(registry: Registry): Promise<string> {
  const families = await Promise.all(registry.getMetricsAsArray().map((m) => registry.getSingleMetricAsString(m.name)));
  return `${families.join('\n')}\n`;
}
