/**
 * What the directory needs from other contexts, passed in by the composition root
 * (service.ts): the directory never imports src/network/ (test/architecture.test.ts).
 * Each area adds the port it needs here, optional, so a directory without it
 * still starts (tests, the benchmark).
 */
import type { Db } from "../../store/db.ts";

/**
 * Another context's share of a handover (engine/handover.ts): moves what `from`
 * owns there (the network's partners) to `to`, inside the handover's
 * transaction. Returns what it moved, by kind (e.g. `{ partners: 3 }`).
 */
export type HandoverPart = (tx: Db, organisationId: string, from: string, to: string, now: Date) => Promise<Record<string, number>>;

export interface DirectoryPorts {
  /** Other contexts' shares of a handover, run in the same transaction. */
  handoverParts?: readonly HandoverPart[];
}
