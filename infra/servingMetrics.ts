// Prometheus text exposition (format 0.0.4) for the scoring service: counters, gauges and histograms whose label
// values come from declared sets (or a small series cap), so a scrape never grows with traffic.

/** The content type of `MetricsRegistry.render()`'s text. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricOptions {
  /** Metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
  name: string;
  /** One line for the HELP line. */
  help: string;
  /** Label names, in the order `labels(...)` takes their values. @default [] */
  labelNames?: readonly string[];
  /** Allowed values of some labels; any other value is a programming error and throws. */
  labelValues?: Readonly<Record<string, readonly string[]>>;
  /**
   * Most series (label combinations) the metric may hold; creating one more throws. Bounds labels whose values
   * are not enumerated (a model's sha256).
   * @default 64
   */
  maxSeries?: number;
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds of the buckets, increasing; +Inf is added. */
  buckets: readonly number[];
}

export interface CounterSeries {
  inc(by?: number): void;
  readonly value: number;
}

export interface GaugeSeries {
  set(value: number): void;
  readonly value: number;
}

export interface HistogramSeries {
  observe(value: number): void;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label value escaping of the text format: backslash, double quote and line feed. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The shared part of every metric family: label checks, the series map and the `{a="x",b="y"}` text of each. */
abstract class MetricFamily<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  private readonly allowed: ReadonlyArray<ReadonlySet<string> | undefined>;
  private readonly maxSeries: number;
  protected readonly series = new Map<string, { labelText: string; series: S }>();
  abstract readonly type: 'counter' | 'gauge' | 'histogram';

  constructor(o: MetricOptions) {
    if (!METRIC_NAME.test(o.name)) throw new RangeError(`metric name ${JSON.stringify(o.name)} is not a Prometheus metric name`);
    this.name = o.name;
    this.help = o.help;
    this.labelNames = o.labelNames ?? [];
    for (const l of this.labelNames) if (!LABEL_NAME.test(l) || l.startsWith('__')) throw new RangeError(`metric ${o.name}: label name ${JSON.stringify(l)} is not allowed`);
    this.allowed = this.labelNames.map((l) => (o.labelValues?.[l] ? new Set(o.labelValues[l]) : undefined));
    this.maxSeries = o.maxSeries ?? 64;
  }

  /** The series of these label values (in `labelNames` order), created on first use. Keep it: lookups cost a join. */
  labels(...values: string[]): S {
    const key = values.join('\u0000');
    const found = this.series.get(key);
    if (found) return found.series;
    if (values.length !== this.labelNames.length) {
      throw new RangeError(`metric ${this.name}: expected ${this.labelNames.length} label values (${this.labelNames.join(', ')}), got ${values.length}`);
    }
    values.forEach((v, i) => {
      const allowed = this.allowed[i];
      if (allowed && !allowed.has(v)) throw new RangeError(`metric ${this.name}: label ${this.labelNames[i]}="${v}" is not one of ${[...allowed].join(', ')}`);
    });
    if (this.series.size >= this.maxSeries) throw new RangeError(`metric ${this.name}: more than ${this.maxSeries} series; its labels must stay bounded`);
    const labelText = values.map((v, i) => `${this.labelNames[i]}="${escapeLabelValue(v)}"`).join(',');
    const series = this.create();
    this.series.set(key, { labelText, series });
    return series;
  }

  /** Forget every series (e.g. model info of models no longer served). */
  clear(): void {
    this.series.clear();
  }

  protected abstract create(): S;
  protected abstract renderSeries(labelText: string, series: S, out: string[]): void;

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    for (const { labelText, series } of this.series.values()) this.renderSeries(labelText, series, out);
  }
}

class CounterValue implements CounterSeries {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

export class Counter extends MetricFamily<CounterSeries> {
  readonly type = 'counter';
  protected create(): CounterSeries {
    return new CounterValue();
  }
  protected renderSeries(labelText: string, s: CounterSeries, out: string[]): void {
    out.push(`${this.name}${labelText ? `{${labelText}}` : ''} ${formatValue(s.value)}`);
  }
}

class GaugeValue implements GaugeSeries {
  value = 0;
  set(value: number): void {
    this.value = value;
  }
}

export class Gauge extends MetricFamily<GaugeSeries> {
  readonly type = 'gauge';
  protected create(): GaugeSeries {
    return new GaugeValue();
  }
  protected renderSeries(labelText: string, s: GaugeSeries, out: string[]): void {
    out.push(`${this.name}${labelText ? `{${labelText}}` : ''} ${formatValue(s.value)}`);
  }
}

class HistogramValue implements HistogramSeries {
  /** Per-bucket (not cumulative) counts; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: Float64Array) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(value: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class Histogram extends MetricFamily<HistogramSeries> {
  readonly type = 'histogram';
  private readonly bounds: Float64Array;
  constructor(o: HistogramOptions) {
    super(o);
    if (o.labelNames?.includes('le')) throw new RangeError(`metric ${o.name}: a histogram cannot have a label named le`);
    if (o.buckets.length === 0 || o.buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= o.buckets[i - 1]!))) {
      throw new RangeError(`metric ${o.name}: buckets must be finite and strictly increasing`);
    }
    this.bounds = Float64Array.from(o.buckets);
  }
  protected create(): HistogramSeries {
    return new HistogramValue(this.bounds);
  }
  protected renderSeries(labelText: string, s: HistogramSeries, out: string[]): void {
    const h = s as HistogramValue;
    const prefix = labelText ? `${labelText},` : '';
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += h.counts[i]!;
      out.push(`${this.name}_bucket{${prefix}le="${formatValue(this.bounds[i]!)}"} ${cumulative}`);
    }
    out.push(`${this.name}_bucket{${prefix}le="+Inf"} ${h.count}`);
    const braces = labelText ? `{${labelText}}` : '';
    out.push(`${this.name}_sum${braces} ${formatValue(h.sum)}`, `${this.name}_count${braces} ${h.count}`);
  }
}

/** The metrics of one process, rendered in registration order; `beforeRender` hooks refresh derived gauges. */
export class MetricsRegistry {
  private readonly families: Array<{ readonly name: string; render(out: string[]): void }> = [];
  private readonly hooks: Array<() => void> = [];

  counter(o: MetricOptions): Counter {
    return this.add(new Counter(o));
  }

  gauge(o: MetricOptions): Gauge {
    return this.add(new Gauge(o));
  }

  histogram(o: HistogramOptions): Histogram {
    return this.add(new Histogram(o));
  }

  /** Run `hook` before every render: gauges computed from other state (recall, precision) are set there. */
  beforeRender(hook: () => void): void {
    this.hooks.push(hook);
  }

  render(): string {
    for (const hook of this.hooks) hook();
    const out: string[] = [];
    for (const f of this.families) f.render(out);
    return `${out.join('\n')}\n`;
  }

  private add<F extends { readonly name: string; render(out: string[]): void }>(family: F): F {
    if (this.families.some((f) => f.name === family.name)) throw new RangeError(`metric ${family.name} is registered twice`);
    this.families.push(family);
    return family;
  }
}
