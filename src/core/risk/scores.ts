import type { RiskCategory } from './types.js';

/**
 * Evidence totals per category. A class with fixed numeric fields rather than a
 * `Record<RiskCategory, number>` indexed by string: bulk classification updates these a dozen
 * times per tool, and fixed fields keep those updates monomorphic and allocation-free.
 */
export class Scores {
  read = 0;
  write = 0;
  execute = 0;
  destructive = 0;
  financial = 0;
  other = 0;

  get(c: RiskCategory): number {
    switch (c) {
      case 'Read': return this.read;
      case 'Write': return this.write;
      case 'Execute': return this.execute;
      case 'Destructive': return this.destructive;
      case 'Financial': return this.financial;
      case 'Other': return this.other;
    }
  }

  set(c: RiskCategory, v: number): void {
    switch (c) {
      case 'Read': this.read = v; break;
      case 'Write': this.write = v; break;
      case 'Execute': this.execute = v; break;
      case 'Destructive': this.destructive = v; break;
      case 'Financial': this.financial = v; break;
      case 'Other': this.other = v; break;
    }
  }

  add(c: RiskCategory, w: number): void {
    this.set(c, this.get(c) + w);
  }

  total(): number {
    return this.read + this.write + this.execute + this.destructive + this.financial + this.other;
  }
}
