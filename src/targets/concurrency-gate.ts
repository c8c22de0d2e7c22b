/**
 * How many requests a client lets be in flight, adapted to the server's answers (AIMD): halved when the
 * server says it is overloaded (429, 503), grown by one after a run of successes. Shared by the target
 * client (src/targets/http-client.ts) and the REST source client (src/sources/rest-client.ts).
 */
export class ConcurrencyGate {
  private concurrency: number;
  private active = 0;
  private successes = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    /** The most requests ever in flight. */
    readonly max: number,
    /** Successes in a row after which one more request may be in flight. */
    private readonly successesToGrow: number,
    start = 4,
  ) {
    this.concurrency = Math.min(start, max);
  }

  /** Requests in flight allowed now. */
  get current(): number {
    return this.concurrency;
  }

  /** Waits for a place. */
  async acquire(): Promise<void> {
    while (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  /** The server is overloaded: half as many in flight. */
  shrink(): void {
    this.successes = 0;
    this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
  }

  /** An answer that was not a refusal: after enough of them in a row, one more in flight. */
  succeeded(): void {
    if (++this.successes >= this.successesToGrow && this.concurrency < this.max) {
      this.concurrency++;
      this.successes = 0;
      this.waiting.shift()?.();
    }
  }
}
