/**
 * Metrics: counters and distributions named "<step>/<name>", readable live while
 * a pipeline runs and in the final result.
 */

export interface Counter {
  inc(n?: number): void;
}

export interface Distribution {
  update(value: number): void;
}

export interface DistributionValue {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface MetricsSnapshot {
  counters: Record<string, number>;
  distributions: Record<string, DistributionValue>;
}

class CounterCell implements Counter {
  value = 0;
  inc(n = 1): void {
    this.value += n;
  }
}

class DistributionCell implements Distribution {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  update(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
}

export class MetricsRegistry {
  private readonly counters = new Map<string, CounterCell>();
  private readonly distributions = new Map<string, DistributionCell>();
  /** Numbers the runner keeps in its own fields (hot paths), read at snapshot time. */
  private readonly gauges = new Map<string, () => number>();

  counter(step: string, name: string): Counter {
    const key = `${step}/${name}`;
    let c = this.counters.get(key);
    if (c === undefined) {
      c = new CounterCell();
      this.counters.set(key, c);
    }
    return c;
  }

  distribution(step: string, name: string): Distribution {
    const key = `${step}/${name}`;
    let d = this.distributions.get(key);
    if (d === undefined) {
      d = new DistributionCell();
      this.distributions.set(key, d);
    }
    return d;
  }

  /** Register a counter whose value lives elsewhere (read lazily). */
  counterFrom(step: string, name: string, read: () => number): void {
    this.gauges.set(`${step}/${name}`, read);
  }

  snapshot(): MetricsSnapshot {
    const counters: Record<string, number> = {};
    for (const [k, c] of this.counters) counters[k] = c.value;
    for (const [k, read] of this.gauges) counters[k] = (counters[k] ?? 0) + read();
    const distributions: Record<string, DistributionValue> = {};
    for (const [k, d] of this.distributions) distributions[k] = { count: d.count, sum: d.sum, min: d.min, max: d.max };
    return { counters, distributions };
  }
}
