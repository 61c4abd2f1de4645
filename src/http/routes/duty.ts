/**
 * Team alerts reach people (issue 11): a staff member's own alert channels and
 * duty (`/me/...`), an admin's view and changes of anyone's (`/people/:id/...`),
 * and who is on duty per team (`/duty`). Validate → engine (engine/on-duty.ts)
 * → shape. Every change is audited; reading one's own channels is not a view of
 * someone else's personal data.
 */
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  addDutyChannel, type DutyError, getDuty, onDutyByTeam, removeDutyChannel, sendChannelTest, setOnDuty,
} from "../../engine/on-duty.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { ChannelParams, DutyChannelInput, DutyInput, IdParams } from "../schemas.ts";
import { teamScope } from "../team-scope.ts";
import type { Services } from "../services.ts";

const tags = ["people"];

function refusal(error: DutyError): ApiError {
  switch (error.code) {
    case "not_found":
      return notFound(error.field === "channelId" ? "channel" : "person");
    case "not_on_duty_role":
      return new ApiError(409, "not_on_duty_role", error.message, error.field);
    case "channel_taken":
      return new ApiError(409, "channel_taken", error.message, error.field);
    case "too_many_channels":
      return new ApiError(409, "too_many_channels", error.message, error.field);
  }
}

export function dutyRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const { wallClock } = s;
    const me = (request: FastifyRequest) => request.principal.tokenId;
    const org = (request: FastifyRequest) => request.principal.organisationId;

    const duty = async (request: FastifyRequest, personId: string) => {
      const found = await getDuty(s.db, org(request), personId);
      if (!found) throw notFound("person");
      return found;
    };
    const changeDuty = async (request: FastifyRequest, personId: string, onDuty: boolean) => {
      const result = await setOnDuty(s.db, org(request), personId, onDuty);
      if (!result.ok) throw refusal(result.error);
      await audit(s.db, request, onDuty ? "duty.on" : "duty.off", "person", personId);
      return result.value;
    };
    const addChannel = async (request: FastifyRequest, personId: string, channel: { kind: "email" | "sms" | "voice" | "line"; address: string }) => {
      const result = await addDutyChannel(s.db, org(request), personId, channel, wallClock.now());
      if (!result.ok) throw refusal(result.error);
      await audit(s.db, request, "duty.channel_add", "person", personId, { channelId: result.value.id, kind: channel.kind });
      return result.value;
    };
    const removeChannel = async (request: FastifyRequest, personId: string, channelId: string) => {
      if (!(await removeDutyChannel(s.db, org(request), personId, channelId))) throw notFound("channel");
      await audit(s.db, request, "duty.channel_remove", "person", personId, { channelId });
    };

    app.get("/me/duty", {
      schema: { tags, summary: "My duty: whether team alerts reach me now, for which teams, and on which channels" },
    }, async (request) => duty(request, me(request)));

    app.put("/me/duty", {
      schema: { tags, summary: "Go on duty (team alerts reach my channels) or off duty", body: DutyInput },
    }, async (request) => changeDuty(request, me(request), request.body.onDuty));

    app.post("/me/channels", {
      schema: { tags, summary: "Register a channel of mine for team alerts (e-mail, SMS, phone, LINE)", body: DutyChannelInput },
    }, async (request, reply) => reply.code(201).send(await addChannel(request, me(request), request.body)));

    app.delete("/me/channels/:id", {
      schema: { tags, summary: "Remove a channel of mine (alerts queued for it are not sent)", params: IdParams },
    }, async (request, reply) => {
      await removeChannel(request, me(request), request.params.id);
      return reply.code(204).send();
    });

    app.post("/me/channels/:id/test", {
      schema: { tags, summary: "Send myself a test message on this channel (through the outbox; GET /me/duty shows how it went)", params: IdParams },
    }, async (request, reply) => {
      const result = await sendChannelTest(s.db, org(request), me(request), request.params.id, s.clock.now());
      if (!result.ok) throw refusal(result.error);
      await audit(s.db, request, "duty.channel_test", "person", me(request), { channelId: request.params.id });
      return reply.code(202).send(result.value);
    });

    app.get("/people/:id/duty", {
      schema: { tags, summary: "A person's duty and alert channels", params: IdParams },
    }, async (request) => duty(request, request.params.id));

    app.put("/people/:id/duty", {
      schema: { tags, summary: "Put a person on or off duty", params: IdParams, body: DutyInput },
    }, async (request) => changeDuty(request, request.params.id, request.body.onDuty));

    app.post("/people/:id/channels", {
      schema: { tags, summary: "Register an alert channel for a person", params: IdParams, body: DutyChannelInput },
    }, async (request, reply) => reply.code(201).send(await addChannel(request, request.params.id, request.body)));

    app.delete("/people/:id/channels/:channelId", {
      schema: { tags, summary: "Remove a person's alert channel", params: ChannelParams },
    }, async (request, reply) => {
      await removeChannel(request, request.params.id, request.params.channelId);
      return reply.code(204).send();
    });

    app.get("/duty", {
      schema: { tags, summary: "Who is on duty per team (names, and how many channels each has: 0 = alerts cannot reach them)" },
    }, async (request) => {
      // Team staff see their own teams' duty (http/team-scope.ts).
      const scope = teamScope(request.principal);
      const teams = await onDutyByTeam(s.db, org(request));
      return { teams: scope ? teams.filter((t) => scope.includes(t.teamId)) : teams };
    });
  };
}
