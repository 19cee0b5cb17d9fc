/**
 * A tiny seeded generator (sfc32, seeded through splitmix32), so that a seed reproduces the same
 * fault sequence and the same writer choices on any machine and Node version. Math.random cannot be
 * seeded; fast-check's generators are shaped for properties, not for a long-running driver.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor((this.uint32() / 2 ** 32) * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.uint32() / 2 ** 32 < p;
  }

  /** One of the choices, each with its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, w]) => sum + w, 0);
    let pick = (this.uint32() / 2 ** 32) * total;
    for (const [value, weight] of choices) {
      if (pick < weight) return value;
      pick -= weight;
    }
    return (choices[choices.length - 1] as readonly [T, number])[0];
  }
}
