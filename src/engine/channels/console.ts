/**
 * The console channel: what a recipient with no address of their own (a team
 * that has not registered an e-mail or phone yet) is given. A screen is not a
 * delivery: nobody is told, so every message to it is a failed delivery, which
 * the sender records, shows on the incident's timeline and moves past at once.
 */
import type { Channel, DeliveryResult, OutgoingMessage } from "../ports.ts";

export class ConsoleChannel implements Channel {
  readonly name = "console";
  async send(messages: OutgoingMessage[]): Promise<DeliveryResult[]> {
    return messages.map((m) => m.payload.nobodyOnDuty === true
      ? { status: "failed", code: "nobody_on_duty", error: "none of the team's staff is on duty with a channel (shown on the console only)" }
      : { status: "failed", code: "no_address", error: "the recipient has no channel to deliver to (shown on the console only)" });
  }
}
