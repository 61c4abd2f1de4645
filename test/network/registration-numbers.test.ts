import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isRegistrationNumber, normaliseRegistrationNumber } from "../../src/network/domain/registration-numbers.ts";
import { memberByRegistrationNumber } from "../../src/network/engine/registration-numbers.ts";
import { newId } from "../../src/ids.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";
import { sql } from "kysely";

test("a number read out or keyed in is one number: full-width digits, hyphens and spaces fold", () => {
  assert.equal(normaliseRegistrationNumber("０１２-３４５"), "012345");
  assert.equal(normaliseRegistrationNumber(" ab 12－34 "), "AB1234");
  assert.ok(isRegistrationNumber("０１２-３４５"));
  assert.ok(!isRegistrationNumber("12"));
  assert.ok(!isRegistrationNumber("12#4"));
});

for (const kind of databaseKinds()) {
  describe(`registration numbers on ${kind}`, () => {
    test("a number in use names its member in its own organisation only; a withdrawn one names nobody", async () => {
      const store = await freshStore(kind);
      try {
        const db = store.db;
        const [orgA, orgB, team, member] = [newId(), newId(), newId(), newId()];
        for (const org of [orgA, orgB]) await sql`insert into organisations (id, name, created_at) values (${org}, 'o', now())`.execute(db);
        await sql`insert into teams (id, organisation_id, name, created_at) values (${team}, ${orgA}, 't', now())`.execute(db);
        await sql`insert into members (id, organisation_id, team_id, display_name, channels, plan, created_at, updated_at)
                  values (${member}, ${orgA}, ${team}, 'm', '[]', '{}', now(), now())`.execute(db);
        const row = { id: newId(), organisation_id: orgA, member_id: member, number: "012345", kind: "keyholder" as const, issued_at: new Date(), issued_by: "test" };
        await db.insertInto("network_registration_numbers").values(row).execute();
        assert.equal(await memberByRegistrationNumber(db, orgA, "０１２-３４５"), member);
        assert.equal(await memberByRegistrationNumber(db, orgB, "012345"), undefined);
        await db.updateTable("network_registration_numbers").set({ withdrawn_at: new Date() }).where("id", "=", row.id).execute();
        assert.equal(await memberByRegistrationNumber(db, orgA, "012345"), undefined);
      } finally {
        await store.dispose();
      }
    });
  });
}
