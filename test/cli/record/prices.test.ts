/** Prices for a recorded scenario: from a documented source, per market, and never guessed. */
import { meanSpotPrices, missingPriceError, onDemandPrice, parsePriceFlags, priceKey, resolvePrices } from '../../../cli/record/prices';

function product(dimensions: Array<{ unit: string; usd: string }>): string {
  const priceDimensions = Object.fromEntries(dimensions.map((d, k) => [`D${k}`, { unit: d.unit, pricePerUnit: { USD: d.usd } }]));
  return JSON.stringify({ terms: { OnDemand: { T1: { priceDimensions } } } });
}

describe('prices', () => {
  it.each([
    ['a type and a price', ['m5.xlarge=0.192'], [['m5.xlarge', 0.192]], 0],
    ['several, repeatable', ['m5.large=0.096', 'c6g.2xlarge=0.272'], [['m5.large', 0.096], ['c6g.2xlarge', 0.272]], 0],
    ['no price', ['m5.large='], [], 1],
    ['not a type', ['large=0.1'], [], 1],
    ['a negative price', ['m5.large=-1'], [], 1],
  ])('--price: %s', (_rule, values, expected, problems) => {
    const r = parsePriceFlags(values);
    expect([...r.prices]).toEqual(expected);
    expect(r.problems).toHaveLength(problems);
    for (const p of r.problems) expect(p).toMatch(/^--price: expected TYPE=USD/);
  });

  it('the Spot price of a type is the mean of its history across zones', () => {
    const mean = meanSpotPrices([{ instanceType: 'm5.large', price: 0.03 }, { instanceType: 'm5.large', price: 0.05 }, { instanceType: 'c5.large', price: 0.02 }]);
    expect(mean.get('m5.large')).toBeCloseTo(0.04, 10);
    expect(mean.get('c5.large')).toBeCloseTo(0.02, 10);
  });

  it.each([
    ['one hourly price', [product([{ unit: 'Hrs', usd: '0.1920000000' }])], 0.192],
    ['the lowest of several products, zero prices ignored', [product([{ unit: 'Hrs', usd: '0.0000000000' }]), product([{ unit: 'Hrs', usd: '0.25' }]), product([{ unit: 'Hrs', usd: '0.2' }])], 0.2],
    ['a non-hourly unit is not a price per hour', [product([{ unit: 'Quantity', usd: '100' }])], undefined],
    ['no product', [], undefined],
    ['a document that is not JSON', ['{'], undefined],
  ])('On-Demand from the Pricing API: %s', (_rule, products, expected) => {
    expect(onDemandPrice(products)).toBe(expected);
  });

  it('a flag wins in both markets; Spot history prices Spot, the Pricing API On-Demand; a Spot type is never priced at On-Demand', () => {
    const needs = [
      { instanceType: 'm5.large', spot: true },
      { instanceType: 'm5.large', spot: false },
      { instanceType: 'c5.large', spot: true },
      { instanceType: 'r5.large', spot: false },
    ];
    const { prices, missing } = resolvePrices(needs, new Map([['r5.large', 0.3]]), new Map([['m5.large', 0.04]]), new Map([['m5.large', 0.096], ['c5.large', 0.085]]));
    expect(prices.get(priceKey({ instanceType: 'm5.large', spot: true }))).toEqual({ usdPerHour: 0.04, source: 'spot-history' });
    expect(prices.get(priceKey({ instanceType: 'm5.large', spot: false }))).toEqual({ usdPerHour: 0.096, source: 'pricing-api' });
    expect(prices.get(priceKey({ instanceType: 'r5.large', spot: false }))).toEqual({ usdPerHour: 0.3, source: 'flag' });
    expect(missing).toEqual(['c5.large']);
    expect(missingPriceError(missing)).toBe('no price known for c5.large: give one with --price c5.large=USD (USD per instance-hour)');
  });
});
