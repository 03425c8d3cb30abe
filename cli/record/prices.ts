/**
 * The price of an instance-hour for each type a recorded group launches, from a documented source
 * and never guessed: `--price TYPE=USD` when given; else, for a Spot group, the mean of the EC2 Spot
 * price history of the group's zones over the recorded window (EC2 API Reference,
 * DescribeSpotPriceHistory); else the On-Demand price the AWS Price List Query API gives
 * (`GetProducts`, service `AmazonEC2`: the `OnDemand` term's `pricePerUnit.USD` per `Hrs`). A type
 * none of these prices is an error naming `--price`. Pure: the reads come from the caller.
 */

export type PriceSource = 'flag' | 'spot-history' | 'pricing-api';

export interface Price {
  readonly usdPerHour: number;
  readonly source: PriceSource;
}

/** `--price TYPE=USD` values, or the problem with one of them. */
export function parsePriceFlags(values: readonly string[]): { prices: Map<string, number>; problems: string[] } {
  const prices = new Map<string, number>();
  const problems: string[] = [];
  for (const v of values) {
    const m = /^([a-z0-9-]+\.[a-z0-9-]+)=(\d+(\.\d+)?)$/.exec(v.trim());
    if (m === null) problems.push(`--price: expected TYPE=USD per hour, such as m5.xlarge=0.192 (got ${JSON.stringify(v)})`);
    else prices.set(m[1] as string, Number(m[2]));
  }
  return { prices, problems };
}

/** Mean Spot price per type over the samples given (every zone of the group alike). */
export function meanSpotPrices(samples: ReadonlyArray<{ instanceType: string; price: number }>): Map<string, number> {
  const sums = new Map<string, { total: number; n: number }>();
  for (const s of samples) {
    const acc = sums.get(s.instanceType) ?? { total: 0, n: 0 };
    sums.set(s.instanceType, { total: acc.total + s.price, n: acc.n + 1 });
  }
  return new Map([...sums].map(([type, { total, n }]) => [type, total / n]));
}

interface PriceDimension {
  readonly unit?: string;
  readonly pricePerUnit?: { readonly USD?: string };
}

/**
 * The hourly On-Demand USD price in Price List product documents (`terms.OnDemand.*.priceDimensions.*`),
 * the lowest non-zero one when several products match; undefined when none has one.
 */
export function onDemandPrice(products: readonly string[]): number | undefined {
  let best: number | undefined;
  for (const text of products) {
    let doc: { terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, PriceDimension> }> } };
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      continue;
    }
    for (const term of Object.values(doc.terms?.OnDemand ?? {})) {
      for (const d of Object.values(term.priceDimensions ?? {})) {
        const usd = Number(d.pricePerUnit?.USD);
        if (d.unit === 'Hrs' && Number.isFinite(usd) && usd > 0 && (best === undefined || usd < best)) best = usd;
      }
    }
  }
  return best;
}

/** A type as one market prices it: the same type costs differently as Spot and On-Demand. */
export interface PriceNeed {
  readonly instanceType: string;
  readonly spot: boolean;
}

/** The key of a type's price in one market (`spot:m5.xlarge`, `on-demand:m5.xlarge`). */
export function priceKey(need: PriceNeed): string {
  return `${need.spot ? 'spot' : 'on-demand'}:${need.instanceType}`;
}

/**
 * The price of each type in each market it is launched in, by source in order: the flag (for both
 * markets), then the Spot history for Spot or the Pricing API for On-Demand (a Spot type is never
 * priced at On-Demand: that would be a guess, and a dear one); `missing` lists what none priced.
 */
export function resolvePrices(needs: readonly PriceNeed[], flags: ReadonlyMap<string, number>, spot: ReadonlyMap<string, number>, onDemand: ReadonlyMap<string, number>): { prices: Map<string, Price>; missing: string[] } {
  const prices = new Map<string, Price>();
  const missing: string[] = [];
  for (const need of needs) {
    const key = priceKey(need);
    if (prices.has(key)) continue;
    const flag = flags.get(need.instanceType);
    const found = need.spot ? spot.get(need.instanceType) : onDemand.get(need.instanceType);
    if (flag !== undefined) prices.set(key, { usdPerHour: flag, source: 'flag' });
    else if (found !== undefined) prices.set(key, { usdPerHour: found, source: need.spot ? 'spot-history' : 'pricing-api' });
    else if (!missing.includes(need.instanceType)) missing.push(need.instanceType);
  }
  return { prices, missing };
}

/** The error for types with no price: one line naming `--price`. */
export function missingPriceError(missing: readonly string[]): string {
  return `no price known for ${missing.join(', ')}: give one with --price ${missing.map((t) => `${t}=USD`).join(' --price ')} (USD per instance-hour)`;
}
