/** Progress on stderr: a bar with rate and ETA on a terminal, a plain line every few seconds otherwise. */
export class Progress {
  private done = 0;
  private total = 0;
  private label = '';
  private started = Date.now();
  private lastPrint = 0;
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
    private readonly intervalMs = 10_000,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  start(label: string, total: number): void {
    this.label = label;
    this.total = total;
    this.done = 0;
    this.started = Date.now();
    this.lastPrint = 0;
    this.render(true);
  }

  tick(n = 1): void {
    this.done += n;
    this.render(false);
  }

  finish(): void {
    this.render(true);
    if (this.tty && !this.quiet) this.stream.write('\n');
  }

  private render(force: boolean): void {
    if (this.quiet) return;
    const now = Date.now();
    if (!force && now - this.lastPrint < (this.tty ? 100 : this.intervalMs)) return;
    this.lastPrint = now;
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : NaN;
    const pct = this.total ? Math.floor((100 * this.done) / this.total) : 100;
    const stats = `${this.done}/${this.total} requests  ${rate.toFixed(1)}/s  ETA ${formatDuration(eta)}`;
    if (this.tty) {
      const width = 24;
      const filled = Math.round((width * pct) / 100);
      this.stream.write(
        `\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}% ${stats}\u001b[K`,
      );
    } else {
      this.stream.write(`${this.label}: ${pct}% ${stats}\n`);
    }
  }
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
