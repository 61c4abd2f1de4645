/**
 * The devices phase (--devices N, PostgreSQL): N devices of ICT watching, each
 * registered through the API with an MQTT topic name, report over MQTT to the
 * real Mosquitto (127.0.0.1:1883, or MIMAMORI_BENCH_MQTT_URL) the way Zigbee2MQTT
 * publishes: one JSON state per device on `<base>/<device>`.
 *
 * - steady: every device reports once a minute (N/60 a second, spread evenly)
 *   for --devices-minutes minutes; figures: events applied in that time ÷
 *   published, the lag until the last one was applied, the service's peak RSS
 *   (budget 300 MB);
 * - burst: every device reports at once; figure: events applied per second (the
 *   ingest capacity), read from `network_devices.last_event_id` in the bench
 *   database.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import mqtt from "mqtt";
import pg from "pg";
import { type Client, expectStatus } from "./client.ts";
import type { Report } from "./report.ts";
import { round, runWorkers, sleep } from "./stats.ts";

export const DEVICES_RSS_BUDGET_MB = 300;

export interface DevicesSetup {
  brokerUrl: string;
  baseTopic: string;
}

export function devicesSetup(env: NodeJS.ProcessEnv): DevicesSetup {
  return { brokerUrl: env.MIMAMORI_BENCH_MQTT_URL || "mqtt://127.0.0.1:1883", baseTopic: `mimamori-bench-${randomBytes(4).toString("hex")}` };
}

async function appliedCount(db: pg.Client, round: string): Promise<number> {
  const r = await db.query<{ n: string }>("select count(*) as n from network_devices where last_event_id = $1", [round]);
  return Number(r.rows[0].n);
}

/** Waits until `expected` devices carry `round` or nothing moved for 30 s; the seconds it took from `since` and how many. */
async function waitApplied(db: pg.Client, round: string, expected: number, since: number): Promise<{ seconds: number; applied: number }> {
  let applied = 0;
  let movedAt = performance.now();
  for (;;) {
    const now = await appliedCount(db, round);
    if (now !== applied) movedAt = performance.now();
    applied = now;
    if (applied >= expected || performance.now() - movedAt > 30_000) return { seconds: (performance.now() - since) / 1000, applied };
    await sleep(100);
  }
}

export async function devicesPhase(ctx: {
  client: Client; report: Report; databaseUrl: string | undefined; setup: DevicesSetup; devices: number; minutes: number;
  windowPeakRssMb: () => number;
}): Promise<void> {
  const { client, report, setup, devices: n } = ctx;
  if (!ctx.databaseUrl) {
    report.warn("the devices phase reads the bench database: run it with --database postgres");
    return;
  }
  // A member per 5 devices (a home with a bulb, doors, a fridge, a meter).
  const perMember = 5;
  const members = Math.ceil(n / perMember);
  const started = performance.now();
  const ids: string[] = [];
  for (let from = 0; from < members; from += 5000) {
    const batch = Array.from({ length: Math.min(5000, members - from) }, (_, k) => ({
      displayName: `d${from + k}`, channels: [{ kind: "sandbox", address: `d${from + k}` }], plan: { every: "30d", at: "09:00" },
    }));
    const r = await client.request("POST", "/api/v1/members/bulk", { members: batch });
    expectStatus(r, 201, "POST /api/v1/members/bulk");
    ids.push(...r.body.ids);
  }
  await runWorkers(n, 16, async (i) => {
    const r = await client.request("POST", `/api/v1/members/${ids[Math.floor(i / perMember)]}/devices`, {
      kind: "door", name: `door ${i}`, power: "battery", topic: `dev${i}`, rules: [{ hours: 24 }],
    });
    expectStatus(r, 201, "POST /api/v1/members/:id/devices");
  });
  const registerSeconds = (performance.now() - started) / 1000;
  report.line("devices", `registered ${n} devices for ${members} members in ${round(registerSeconds)} s`);

  const db = new pg.Client({ connectionString: ctx.databaseUrl });
  await db.connect();
  const publisher = await mqtt.connectAsync(setup.brokerUrl);
  publisher.setMaxListeners(0);
  try {
    // Each round flips the state: the sandbox clock stands still, and the same state at the same time is a replay.
    let flip = 0;
    const publish = (i: number, roundId: string) =>
      publisher.publishAsync(`${setup.baseTopic}/dev${i}`, JSON.stringify({ contact: (i + flip) % 2 === 0, battery: 90, linkquality: 100, event_id: roundId }), { qos: 0 });
    ctx.windowPeakRssMb();
    // Steady: once a minute each, spread evenly over the minute.
    const steadyStart = performance.now();
    let lastRound = "";
    for (let minute = 0; minute < ctx.minutes; minute++) {
      const roundId = `s${minute}`;
      flip = minute;
      lastRound = roundId;
      const minuteStart = performance.now();
      const slices = 60 * 10;
      for (let s = 0; s < slices; s++) {
        const from = Math.floor((s * n) / slices);
        const to = Math.floor(((s + 1) * n) / slices);
        for (let i = from; i < to; i++) void publish(i, roundId);
        const due = minuteStart + ((s + 1) * 60_000) / slices;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
    }
    const published = performance.now();
    const steady = await waitApplied(db, lastRound, n, published);
    const steadyRss = Math.round(ctx.windowPeakRssMb());
    const steadySeconds = (published - steadyStart) / 1000;
    // Burst: everyone at once.
    flip = ctx.minutes;
    const burstStart = performance.now();
    for (let i = 0; i < n; i++) void publish(i, "burst");
    const burst = await waitApplied(db, "burst", n, burstStart);
    const burstRss = Math.round(ctx.windowPeakRssMb());
    const figures = {
      devices: n, devicesMinutes: ctx.minutes, devicesRegisterSeconds: round(registerSeconds),
      devicesSteadyOfferedPerSecond: round(n / 60), devicesSteadyApplied: steady.applied, devicesSteadyLagSeconds: round(steady.seconds),
      devicesSteadyPeakRssMb: steadyRss, devicesBurstApplied: burst.applied, devicesBurstSeconds: round(burst.seconds),
      devicesBurstPerSecond: round(burst.applied / burst.seconds), devicesBurstPeakRssMb: burstRss,
      devicesRssBudgetMb: DEVICES_RSS_BUDGET_MB,
    };
    report.set({ devices: figures });
    report.line("devices", `steady: ${n} devices once a minute (${round(n / 60)}/s offered) for ${round(steadySeconds)} s: last minute's ` +
      `${steady.applied}/${n} applied ${round(steady.seconds)} s after its last publish; peak RSS ${steadyRss} MB (budget ${DEVICES_RSS_BUDGET_MB} MB)`);
    report.line("devices", `burst: ${burst.applied}/${n} applied in ${round(burst.seconds)} s = ${figures.devicesBurstPerSecond} events/s ` +
      `(${round(figures.devicesBurstPerSecond / (n / 60), 1)}× the steady load); peak RSS ${burstRss} MB`);
    if (steady.applied < n || burst.applied < n) report.warn(`devices: not every event was applied (steady ${steady.applied}, burst ${burst.applied} of ${n})`);
    if (Math.max(steadyRss, burstRss) > DEVICES_RSS_BUDGET_MB) report.warn(`devices: peak RSS over the ${DEVICES_RSS_BUDGET_MB} MB budget`);
  } finally {
    await publisher.endAsync();
    await db.end();
  }
}
