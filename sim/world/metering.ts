/**
 * Metering of one run: what the fleet costs. Kept incrementally (a running price rate and instance
 * count, integrated whenever the clock moves) so that reading the cost at every sample is O(1)
 * instead of a pass over every instance ever launched.
 */
export interface Metered {
  readonly type: { readonly pricePerHour: number };
}

export class Meter {
  private last: number;
  private rate = 0;
  private count = 0;
  private cost = 0;
  private hours = 0;

  constructor(start: number) {
    this.last = start;
  }

  /** Integrate up to `t` (epoch ms; never backwards). */
  advance(t: number): void {
    if (t <= this.last) return;
    const h = (t - this.last) / 3_600_000;
    this.cost += this.rate * h;
    this.hours += this.count * h;
    this.last = t;
  }

  /** An instance is paid for from its launch … */
  launched(i: Metered): void {
    this.rate += i.type.pricePerHour;
    this.count++;
  }

  /** … to its termination. */
  terminated(i: Metered): void {
    this.rate -= i.type.pricePerHour;
    this.count--;
  }

  costUntil(t: number): number {
    return this.cost + (this.rate * Math.max(0, t - this.last)) / 3_600_000;
  }

  hoursUntil(t: number): number {
    return this.hours + (this.count * Math.max(0, t - this.last)) / 3_600_000;
  }
}
