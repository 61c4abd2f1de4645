/**
 * MQTT provider of the regional network's devices (thin: no SQL, calls the
 * network's commands). Subscribes to `<base>/#` on the configured broker, in
 * Zigbee2MQTT's layout (Home Assistant's availability payloads are the same):
 * - `<base>/<device>`: the device's JSON state (`{"contact":false}`, …) → an event;
 * - `<base>/<device>/availability`: retained `online`/`offline` or `{"state":"online"}`;
 * - `<base>/bridge/…`, `…/set`, `…/get`: not devices, ignored.
 * Bad payloads, unknown topics and replays are counted and logged and change
 * nothing. Connecting and reconnecting are the `mqtt` client's.
 */
import type { MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Clock } from "../../../engine/clock.ts";
import { type DeviceEvent, parseAvailability, parseDeviceEvent } from "../../domain/devices.ts";
import type { EventOutcome } from "../../engine/devices.ts";

/** The network's commands the provider calls (engine/devices.ts `ingestByTopic`, `recordAvailability`, bound to the store). */
export interface DeviceCommands {
  event(topic: string, event: DeviceEvent, now: Date): Promise<EventOutcome>;
  availability(topic: string, availability: "online" | "offline", now: Date): Promise<EventOutcome>;
}

export interface MqttOptions {
  url: string;
  baseTopic: string;
  username?: string;
  password?: string;
}

/** What the provider did with the messages it got, since it started. */
export interface MqttCounts {
  accepted: number;
  /** Refused messages by reason: bad_payload, unknown_device, ambiguous_topic, replay, future, failed. */
  refused: Record<string, number>;
  ignored: number;
}

/** How many messages are handled at once (each is one short transaction). */
const CONCURRENCY = 8;

export class MqttDevices {
  readonly counts: MqttCounts = { accepted: 0, refused: {}, ignored: 0 };
  private client: MqttClient | undefined;
  private running = 0;
  private readonly waiting: (() => Promise<void>)[] = [];
  private idle: (() => void)[] = [];

  private readonly commands: DeviceCommands;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly options: MqttOptions;

  constructor(commands: DeviceCommands, clock: Clock, log: Logger, options: MqttOptions) {
    this.commands = commands;
    this.clock = clock;
    this.log = log;
    this.options = options;
  }

  /** Connects (the client reconnects by itself) and subscribes; resolves once subscribed, or after 5 s if the broker is not there yet. */
  async start(): Promise<void> {
    const base = this.options.baseTopic;
    // Loaded here, not at start-up: a service without a broker never holds the MQTT client (src/lazy-import.ts).
    const { default: mqtt } = await import("mqtt");
    const client = mqtt.connect(this.options.url, {
      reconnectPeriod: 2_000, connectTimeout: 10_000, clean: true,
      ...(this.options.username ? { username: this.options.username, password: this.options.password } : {}),
    });
    this.client = client;
    client.on("message", (topic, payload) => this.enqueue(() => this.handle(topic.slice(base.length + 1), payload.toString("utf8"))));
    client.on("error", (error) => this.log.warn({ err: error }, "mqtt: broker error"));
    client.on("reconnect", () => this.log.info("mqtt: reconnecting"));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      client.on("connect", () => {
        client.subscribe(`${base}/#`, { qos: 1 }, (error) => {
          if (error) this.log.warn({ err: error }, "mqtt: subscribe failed");
          else this.log.info({ url: this.options.url, topic: `${base}/#` }, "mqtt: subscribed");
          clearTimeout(timer);
          resolve();
        });
      });
    });
  }

  /** Waits for the messages being handled, then disconnects. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
    if (this.running || this.waiting.length) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private enqueue(work: () => Promise<void>): void {
    this.waiting.push(work);
    this.pump();
  }

  private pump(): void {
    while (this.running < CONCURRENCY && this.waiting.length) {
      const work = this.waiting.shift() as () => Promise<void>;
      this.running++;
      void work().finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.waiting.length === 0) for (const done of this.idle.splice(0)) done();
      });
    }
  }

  private refuse(reason: string, topic: string): void {
    this.counts.refused[reason] = (this.counts.refused[reason] ?? 0) + 1;
    this.log.warn({ topic, reason }, "mqtt: device message refused, nothing changed");
  }

  /** One message on `<base>/<rest>`. */
  private async handle(rest: string, text: string): Promise<void> {
    if (rest === "" || rest.startsWith("bridge/") || rest === "bridge" || /\/(set|get)$/.test(rest)) {
      this.counts.ignored++;
      return;
    }
    try {
      let outcome: EventOutcome;
      if (rest.endsWith("/availability")) {
        const availability = parseAvailability(text);
        if (!availability) return this.refuse("bad_payload", rest);
        outcome = await this.commands.availability(rest.slice(0, -"/availability".length), availability, this.clock.now());
      } else {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return this.refuse("bad_payload", rest);
        }
        const parsed = parseDeviceEvent(body);
        if (!parsed.ok) return this.refuse("bad_payload", rest);
        outcome = await this.commands.event(rest, parsed.event, this.clock.now());
      }
      if (outcome.ok) this.counts.accepted++;
      else this.refuse(outcome.reason, rest);
    } catch (error) {
      this.log.error({ err: error, topic: rest }, "mqtt: device message failed");
      this.refuse("failed", rest);
    }
  }
}
