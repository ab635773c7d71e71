/**
 * Pause for a training run: the loop waits at the gate between chunks, and the gate's clock
 * stands still while paused so steps per second and ms per step count training time only.
 */
export class PauseGate {
  private pausedAt: number | null = null;
  private pausedTotal = 0;
  private opened: (() => void) | null = null;
  private closed: Promise<void> | null = null;

  get paused(): boolean {
    return this.pausedAt !== null;
  }

  pause(): void {
    if (this.paused) return;
    this.pausedAt = performance.now();
    this.closed = new Promise((resolve) => (this.opened = resolve));
  }

  resume(): void {
    if (this.pausedAt === null) return;
    this.pausedTotal += performance.now() - this.pausedAt;
    this.pausedAt = null;
    this.opened?.();
    this.opened = this.closed = null;
  }

  /** Resolves at once when running, or when resumed. */
  wait(): Promise<void> {
    return this.closed ?? Promise.resolve();
  }

  /** Milliseconds of running time (a monotonic clock that skips the pauses). */
  readonly now = (): number => {
    const t = performance.now();
    return t - this.pausedTotal - (this.pausedAt === null ? 0 : t - this.pausedAt);
  };
}
