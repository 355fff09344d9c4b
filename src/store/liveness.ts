import fs from 'node:fs';
import os from 'node:os';

/*
 * Whether the process behind a claim or a journal still runs. A pid alone does not tell: a busy
 * machine reuses pids within minutes, and a pid from another machine means nothing here. So a
 * process is recorded as host, boot id, pid and start time; on this host and boot it is alive
 * while a process with that pid and that start time exists. Another host (or a system that tells
 * neither boot nor start time) falls back to a lease: alive while it wrote recently.
 */

export interface ProcessIdentity {
  host: string;
  /** This boot of the machine (Linux: /proc/sys/kernel/random/boot_id); '' when unknown. */
  boot: string;
  pid: number;
  /** When the process started, in clock ticks since boot (/proc/<pid>/stat, field 22); 0 when unknown. */
  start: number;
}

/** When a process started (clock ticks since boot), if this system tells. */
export function processStart(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from the 3rd on: the start time is the 22nd.
    const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

let boot: string | undefined;

function bootId(): string {
  if (boot === undefined) {
    try {
      boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      boot = '';
    }
  }
  return boot;
}

/** This process, as recorded with its claims and journal. */
export function thisProcess(): ProcessIdentity {
  return { host: os.hostname(), boot: bootId(), pid: process.pid, start: processStart(process.pid) ?? 0 };
}

/**
 * Whether a recorded process still runs: 'alive', 'dead', or 'unknown' when this machine cannot
 * tell (another host, or no boot id or start time recorded): then only a lease can decide.
 */
export function processState(owner: ProcessIdentity): 'alive' | 'dead' | 'unknown' {
  if (owner.host !== os.hostname()) return 'unknown';
  const here = bootId();
  // Same host name, another boot: the machine restarted since, and every process of that boot is gone.
  if (owner.boot && here && owner.boot !== here) return 'dead';
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
  }
  if (!owner.start) return 'unknown';
  const start = processStart(owner.pid);
  if (start === undefined) return 'unknown';
  // The pid runs, but a later process holds it: the recorded one is gone.
  return start === owner.start ? 'alive' : 'dead';
}
