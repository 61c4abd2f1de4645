/**
 * The regional network's HTTP part (contexts.ts in the core explains the shape):
 * its /api/v1 routes with their access, answers and team scope, its error codes,
 * and its routes outside /api/v1. Each area adds its plugin and its table entries
 * here.
 */
import type { HttpContext } from "../../http/contexts.ts";
import { NoContent } from "../../http/responses.ts";
import { DeviceList, DeviceToken, DeviceView, DeviceWithToken, deviceEventRoute, deviceRoutes } from "./devices.ts";

/** Error codes of the network; each is declared for the type checker below and documented in the README. */
export const NETWORK_ERROR_CODES = {
  device_topic_taken: "another device of this organisation has this MQTT topic name",
  device_event_refused: "a device event seen already, older than the device's last one, or too far ahead of our clock; nothing changed",
} as const satisfies Record<string, string>;

declare module "../../http/errors.ts" {
  interface ContextErrorCodes extends Record<keyof typeof NETWORK_ERROR_CODES, true> {}
}

export const NETWORK_HTTP: HttpContext = {
  name: "network",
  access: {
    "GET /members/:id/devices": "observer",
    "POST /members/:id/devices": "staff",
    "GET /network/devices": "observer",
    "PATCH /network/devices/:id": "staff",
    "POST /network/devices/:id/token": "staff",
    "DELETE /network/devices/:id": "staff",
  },
  responses: {
    "GET /members/:id/devices": { 200: DeviceList },
    "POST /members/:id/devices": { 201: DeviceWithToken },
    "GET /network/devices": { 200: DeviceList },
    "PATCH /network/devices/:id": { 200: DeviceView },
    "POST /network/devices/:id/token": { 200: DeviceToken },
    "DELETE /network/devices/:id": { 204: NoContent },
  },
  scope: {
    "GET /members/:id/devices": "member",
    "POST /members/:id/devices": "member",
  },
  errorCodes: NETWORK_ERROR_CODES,
  api: [deviceRoutes],
  outside: [deviceEventRoute],
};
