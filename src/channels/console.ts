/**
 * The console channel: for recipients with no address of their own (a team that
 * has not registered an e-mail or phone yet). The alert is on the incident's
 * timeline in the API and console, which is where it is "delivered".
 */
import type { Channel, DeliveryResult, OutgoingMessage } from "./channel.ts";

export class ConsoleChannel implements Channel {
  readonly name = "console";
  async send(messages: OutgoingMessage[]): Promise<DeliveryResult[]> {
    return messages.map(() => ({ status: "sent" }));
  }
}
