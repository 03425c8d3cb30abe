import { EventQueue } from '../../sim/world/event-queue';
import { Prng } from '../../sim/world/prng';

describe('seeded randomness', () => {
  it('repeats for the same seed and label, differs otherwise', () => {
    const a = new Prng(7);
    const b = new Prng(7);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new Prng(8).next()).not.toBe(xs[0]);
    expect(new Prng(7).fork('spot').next()).toBe(new Prng(7).fork('spot').next());
    expect(new Prng(7).fork('spot').next()).not.toBe(new Prng(7).fork('faults').next());
  });
  it('stays in [0, 1) with a plausible mean', () => {
    const p = new Prng(1);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = p.next();
      expect(v >= 0 && v < 1).toBe(true);
      sum += v;
    }
    expect(sum / 10_000).toBeGreaterThan(0.48);
    expect(sum / 10_000).toBeLessThan(0.52);
  });
});

describe('event queue', () => {
  it('pops by time, then in push order', () => {
    const q = new EventQueue<string>();
    q.push(5, 'c');
    q.push(1, 'a');
    q.push(5, 'd');
    q.push(1, 'b');
    q.push(3, 'x');
    const out: string[] = [];
    for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e.event);
    expect(out).toEqual(['a', 'b', 'x', 'c', 'd']);
  });
});
