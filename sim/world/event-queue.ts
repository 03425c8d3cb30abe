/**
 * The simulation clock's agenda: a binary min-heap of timed events. Events at the same time come
 * out in the order they were pushed (a sequence number breaks ties), so a run never depends on
 * heap internals — one of the two things (with the seeded PRNG) that make runs reproducible.
 */
export interface Scheduled<E> {
  readonly at: number;
  readonly seq: number;
  readonly event: E;
}

export class EventQueue<E> {
  private readonly heap: Scheduled<E>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, event: E): void {
    const item: Scheduled<E> = { at, seq: this.seq++, event };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(item, h[parent] as Scheduled<E>)) break;
      h[i] = h[parent] as Scheduled<E>;
      i = parent;
    }
    h[i] = item;
  }

  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  pop(): Scheduled<E> | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined) return undefined;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let best: Scheduled<E> = last;
        if (l < h.length && this.less(h[l] as Scheduled<E>, best)) {
          m = l;
          best = h[l] as Scheduled<E>;
        }
        if (r < h.length && this.less(h[r] as Scheduled<E>, best)) {
          m = r;
          best = h[r] as Scheduled<E>;
        }
        if (m === i) break;
        h[i] = best;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }

  private less(a: Scheduled<E>, b: Scheduled<E>): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}
