/**
 * The machine's busy CPU time, read from Linux's /proc/stat: what a phase cost in
 * CPU-seconds, whoever spent them (the service, PostgreSQL, the bench itself).
 * On a CPU-bound machine this says where a change saves work even when the
 * machine's speed moves from minute to minute (bench figures of 2026-12-02:
 * 28–41 busy CPU-seconds for the same dispatch of 100,000 prompts).
 */
import { readFileSync } from "node:fs";

/** Busy (not idle, not waiting for I/O) CPU-seconds since boot, summed over the cores; undefined off Linux. */
export function busyCpuSeconds(): number | undefined {
  let line: string;
  try {
    line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
  } catch {
    return undefined;
  }
  // cpu user nice system idle iowait irq softirq steal, in USER_HZ ticks (100 per second on Linux);
  // guest time that follows is already counted in user.
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (ticks.length < 5 || ticks.some((t) => !Number.isFinite(t))) return undefined;
  const busy = ticks.reduce((sum, t) => sum + t, 0) - ticks[3] - ticks[4];
  return busy / 100;
}

/** Starts counting; the returned function gives the busy CPU-seconds since, or undefined off Linux. */
export function busyCpuSince(): () => number | undefined {
  const start = busyCpuSeconds();
  return () => {
    const end = busyCpuSeconds();
    return start === undefined || end === undefined ? undefined : end - start;
  };
}
