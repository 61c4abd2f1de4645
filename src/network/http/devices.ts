/**
 * Devices of ICT watching over HTTP: the registry under /api/v1 (staff write,
 * observers read; team staff reach their own teams' members' devices) and the
 * devices' own event endpoint outside it, `POST /network/devices/events`, with the
 * device's token as Bearer and a Zigbee2MQTT-shaped JSON state as body.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/auth.ts";
import { audit } from "../../http/audit.ts";
import { ApiError, notFound } from "../../http/errors.ts";
import { NoContent } from "../../http/responses.ts";
import { IdParams, safeString, text } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { memberExists } from "../../engine/members.ts";
import { checkTeam, teamScope } from "../../http/team-scope.ts";
import { DEVICE_KINDS, DEVICE_POWER, defaultRules, MAX_RULE_HOURS, parseDeviceEvent } from "../domain/devices.ts";
import {
  type Device, type DeviceError, ingestByToken, listDevices, registerDevice, removeDevice, rotateDeviceToken, updateDevice,
} from "../engine/devices.ts";

const tags = ["network"];

const Topic = safeString().min(1, "at least 1 character").max(100, "at most 100 characters")
  .regex(/^[^#+/][^#+]*$/, "a topic name without + or #, not starting with /")
  .refine((t) => !t.endsWith("/availability") && !t.endsWith("/set") && !t.endsWith("/get"), "must not end in /availability, /set or /get");
const Rule = z.strictObject({
  hours: z.number().int().min(1).max(MAX_RULE_HOURS),
  belowWatts: z.number().min(0).max(100_000).optional(),
});
export const DeviceCreate = z.strictObject({
  kind: z.enum(DEVICE_KINDS),
  name: text(100),
  power: z.enum(DEVICE_POWER).default("battery"),
  topic: Topic.nullable().default(null),
  signOfLife: z.boolean().default(false),
  rules: z.array(Rule).max(5).optional(),
});
export const DevicePatch = z.strictObject({
  kind: z.enum(DEVICE_KINDS).optional(),
  name: text(100).optional(),
  power: z.enum(DEVICE_POWER).optional(),
  topic: Topic.nullable().optional(),
  signOfLife: z.boolean().optional(),
  rules: z.array(Rule).max(5).optional(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const DeviceView = z.object({
  id: z.uuid(), memberId: z.uuid(), memberName: z.string(), teamId: z.uuid(),
  kind: z.enum(DEVICE_KINDS), name: z.string(), power: z.enum(DEVICE_POWER), topic: z.string().nullable(), signOfLife: z.boolean(),
  rules: z.array(z.object({ id: z.uuid(), hours: z.number(), belowWatts: z.number().optional(), checkAt: z.string().nullable(), firedAt: z.string().nullable() })),
  lastState: z.record(z.string(), z.unknown()).nullable(),
  lastEventAt: z.string().nullable(), lastActivityAt: z.string().nullable(), lastSeenAt: z.string().nullable(),
  availability: z.enum(["online", "offline"]).nullable(), silentSince: z.string().nullable(),
  status: z.enum(["online", "offline", "silent"]), createdAt: z.string(),
});
export const DeviceList = z.object({ devices: z.array(DeviceView) });
export const DeviceWithToken = DeviceView.extend({ token: z.string() });
export const DeviceToken = z.object({ token: z.string() });

export function deviceView(d: Device) {
  return {
    id: d.id, memberId: d.memberId, memberName: d.memberName, teamId: d.teamId, kind: d.kind, name: d.name, power: d.power, topic: d.topic,
    signOfLife: d.signOfLife,
    rules: d.rules.map((r) => ({ id: r.id, hours: r.hours, ...(r.belowWatts !== undefined ? { belowWatts: r.belowWatts } : {}), checkAt: iso(r.checkAt), firedAt: iso(r.firedAt) })),
    lastState: (d.lastState ?? null) as Record<string, unknown> | null,
    lastEventAt: iso(d.lastEventAt), lastActivityAt: iso(d.lastActivityAt), lastSeenAt: iso(d.lastSeenAt),
    availability: d.availability, silentSince: iso(d.silentSince), status: d.status, createdAt: d.createdAt.toISOString(),
  };
}

function refused(e: DeviceError): ApiError {
  if (e.error === "topic_taken") return new ApiError(409, "device_topic_taken", "this MQTT topic name is in use on the instance's broker: choose another", "topic");
  return notFound(e.error === "member_not_found" ? "member" : "device");
}

/** The device `id` when the caller may act on it (a team staff person: their teams' members' devices); 404 or 403 otherwise. */
async function reachableDevice(s: Services, request: FastifyRequest, id: string): Promise<Device> {
  const [device] = await listDevices(s.db, request.principal.organisationId, { deviceId: id });
  if (!device) throw notFound("device");
  checkTeam(request.principal, device.teamId, "id");
  return device;
}

export function deviceRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/members/:id/devices", {
      schema: { tags, summary: "A member's devices (ICT watching): kind, rules, last event, status", params: IdParams },
    }, async (request) => {
      if (!await memberExists(s.db, request.principal.organisationId, request.params.id)) throw notFound("member");
      const devices = await listDevices(s.db, request.principal.organisationId, { memberId: request.params.id });
      return { devices: devices.map(deviceView) };
    });

    app.post("/members/:id/devices", {
      schema: { tags, summary: "Register a device for a member; its token is in this answer only", params: IdParams, body: DeviceCreate },
    }, async (request, reply) => {
      const body = request.body;
      const r = await registerDevice(s.db, request.principal.organisationId, request.params.id, {
        kind: body.kind, name: body.name, power: body.power, topic: body.topic, signOfLife: body.signOfLife, rules: body.rules ?? defaultRules(body.kind),
      }, actorOf(request.principal), s.clock.now());
      if ("error" in r) throw refused(r);
      await audit(s.db, request, "device.register", "member", request.params.id);
      return reply.code(201).send({ ...deviceView(r.device), token: r.token });
    });

    app.get("/network/devices", {
      schema: { tags, summary: "Every device with its status (online, offline, silent), silent first", querystring: z.strictObject({ status: z.enum(["online", "offline", "silent"]).optional() }) },
    }, async (request) => {
      const devices = await listDevices(s.db, request.principal.organisationId, { teamIds: teamScope(request.principal) });
      const order = { silent: 0, offline: 1, online: 2 } as const;
      return {
        devices: devices.filter((d) => !request.query.status || d.status === request.query.status)
          .sort((a, b) => order[a.status] - order[b.status]).map(deviceView),
      };
    });

    app.patch("/network/devices/:id", {
      schema: { tags, summary: "Change a device (name, kind, power, topic, sign of life, rules)", params: IdParams, body: DevicePatch },
    }, async (request) => {
      await reachableDevice(s, request, request.params.id);
      const r = await updateDevice(s.db, request.principal.organisationId, request.params.id, request.body, s.clock.now());
      if ("error" in r) throw refused(r);
      await audit(s.db, request, "device.update", "member", r.memberId);
      return deviceView(r);
    });

    app.post("/network/devices/:id/token", {
      schema: { tags, summary: "A new token for a device (the old one stops working); in this answer only", params: IdParams },
    }, async (request) => {
      const device = await reachableDevice(s, request, request.params.id);
      const token = await rotateDeviceToken(s.db, request.principal.organisationId, device.id);
      if (!token) throw notFound("device");
      await audit(s.db, request, "device.token", "member", device.memberId);
      return { token };
    });

    app.delete("/network/devices/:id", {
      schema: { tags, summary: "Remove a device and its rules", params: IdParams },
    }, async (request, reply) => {
      const device = await reachableDevice(s, request, request.params.id);
      await removeDevice(s.db, request.principal.organisationId, device.id);
      await audit(s.db, request, "device.remove", "member", device.memberId);
      return reply.code(204).send();
    });
  };
}

/**
 * `POST /network/devices/events`: one state from a device, its token as Bearer.
 * 202 with whether it counted as activity; 401 for a missing or unknown token;
 * 400 naming the field for a payload that is not a device state; 409
 * `device_event_refused` for a replay (the same event id, a time not after the
 * last event's) or a time too far ahead. A refused event changes nothing.
 */
export async function deviceEventRoute(app: FastifyInstance, s: Services): Promise<void> {
  app.post("/network/devices/events", { schema: { hide: true } }, async (request, reply) => {
    const header = request.headers.authorization ?? "";
    const token = /^Bearer (mmd_[A-Za-z0-9_-]{20,100})$/.exec(header)?.[1];
    if (!token) throw new ApiError(401, "unauthorized", "send the device's token as 'Authorization: Bearer mmd_…'");
    const parsed = parseDeviceEvent(request.body);
    if (!parsed.ok) throw new ApiError(400, "invalid_request", parsed.problem.message, parsed.problem.field);
    const outcome = await ingestByToken(s.db, token, parsed.event, s.clock.now());
    if (!outcome.ok) {
      if (outcome.reason === "unknown_device" || outcome.reason === "ambiguous_topic") throw new ApiError(401, "unauthorized", "unknown device token");
      throw new ApiError(409, "device_event_refused", outcome.reason === "future" ? "the event's last_seen is too far ahead of our clock" :
        "this event was seen already, or is older than the device's last event", outcome.reason === "future" ? "last_seen" : undefined);
    }
    return reply.code(202).send({ accepted: true, activity: outcome.activity });
  });
}

/** Error codes of the devices' routes (context.ts composes the network's). */
export const DEVICE_ERROR_CODES = {
  device_topic_taken: "another device on the instance's MQTT broker has this topic name (names are shared by every organisation of the instance)",
  device_event_refused: "a device event seen already, older than the device's last one, or too far ahead of our clock; nothing changed",
} as const;

/** Who may call each device route (context.ts composes the network's table). */
export const DEVICE_ACCESS = {
  "GET /members/:id/devices": "observer",
  "POST /members/:id/devices": "staff",
  "GET /network/devices": "observer",
  "PATCH /network/devices/:id": "staff",
  "POST /network/devices/:id/token": "staff",
  "DELETE /network/devices/:id": "staff",
} as const;

/** The answers of the device routes. */
export const DEVICE_RESPONSES = {
  "GET /members/:id/devices": { 200: DeviceList },
  "POST /members/:id/devices": { 201: DeviceWithToken },
  "GET /network/devices": { 200: DeviceList },
  "PATCH /network/devices/:id": { 200: DeviceView },
  "POST /network/devices/:id/token": { 200: DeviceToken },
  "DELETE /network/devices/:id": { 204: NoContent },
};

/** Device routes acting on one member's records (team scope). */
export const DEVICE_SCOPE = {
  "GET /members/:id/devices": "member",
  "POST /members/:id/devices": "member",
} as const;
