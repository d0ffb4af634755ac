/**
 * CPU time of this process and of every process it started (DynamoDB Local's JVM, cognito-local…),
 * from /proc (Linux): where a session's cost goes when the store is not the limit. Empty elsewhere.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on

interface ProcStat {
  pid: number;
  ppid: number;
  name: string;
  cpuMs: number;
}

function stat(pid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name is in parentheses and may contain spaces: split after its closing parenthesis.
    const close = raw.lastIndexOf(')');
    const name = raw.slice(raw.indexOf('(') + 1, close);
    const fields = raw.slice(close + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    return { pid, ppid: Number(fields[1]), name, cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** CPU ms so far of this process and of each descendant, by process name (summed per name). */
export function cpuByProcess(): Record<string, number> {
  let all: ProcStat[];
  try {
    all = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((d) => stat(Number(d)) ?? []);
  } catch {
    return {};
  }
  const mine = new Set([process.pid]);
  // Parents appear before children only by luck: repeat until no new descendant is found.
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  const out: Record<string, number> = {};
  for (const p of all) {
    if (!mine.has(p.pid)) continue;
    const key = p.pid === process.pid ? 'bench+stack (node)' : p.name;
    out[key] = (out[key] ?? 0) + p.cpuMs;
  }
  return out;
}

export function cpuSince(before: Record<string, number>): Record<string, number> {
  const now = cpuByProcess();
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, Math.round(v - (before[k] ?? 0))]));
}
