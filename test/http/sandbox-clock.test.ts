/**
 * The sandbox clock is the only clock: in a sandbox whose virtual time lies years
 * behind the wall clock, everything the API queues is due at virtual time (a
 * request queued at wall-clock time would wait years).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds } from "../support/harness.ts";
import { type PhoneFixture, startPhoneFixture } from "../support/phone-fixture.ts";

const START = "2020-01-06T09:00:00+09:00";

for (const kind of databaseKinds()) {
  describe(`a sandbox started at 2020-01-06 on ${kind}`, () => {
    let f: PhoneFixture;
    before(async () => {
      f = await startPhoneFixture(kind, {}, {}, { MIMAMORI_SANDBOX_START: START });
    });
    after(() => f.close());

    const confirmation = async (contactId: string) => f.service.store.db.selectFrom("outbox").select(["due_at", "status", "sent_at"])
      .where("idempotency_key", "like", `contact_confirm:${contactId}%`).execute();

    test("a contact added later is asked to confirm at virtual time, like one registered with the member", async () => {
      const r = await f.service.api("POST", "/members", {
        displayName: "山田花子", channels: [{ kind: "email", address: "hanako@example.jp" }], plan: { every: "1d", at: "10:00" },
        contacts: [{ displayName: "山田一郎", relation: "son", channels: [{ kind: "email", address: "ichiro@example.jp" }] }],
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      await f.settle();
      await f.smtp.waitFor((m) => m.to.includes("ichiro@example.jp"));

      const added = await f.service.api("POST", `/members/${r.body.id}/contacts`, {
        displayName: "佐藤さん", relation: "neighbour", channels: [{ kind: "email", address: "sato@example.jp" }],
      });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      await f.settle();
      const mail = await f.smtp.waitFor((m) => m.to.includes("sato@example.jp"));
      assert.match(mail.text ?? "", /佐藤さん/);

      const rows = await confirmation(added.body.id);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].status, "sent");
      assert.equal(rows[0].due_at.toISOString(), new Date(START).toISOString(), "queued at the sandbox's time");
      assert.equal(rows[0].sent_at?.toISOString(), new Date(START).toISOString(), "sent at the sandbox's time");
      const now = (await f.service.api("GET", "/sandbox/clock")).body.now;
      assert.equal(now, new Date(START).toISOString(), "the clock did not move");
    });

    test("a running clock moves on while a request waits: advancing by nothing is never 'backwards'; going back is a 409 naming `to`", async () => {
      const started = await f.service.api("POST", "/sandbox/clock", { advance: "PT0S", run: true });
      assert.equal(started.status, 200, JSON.stringify(started.body));
      let last = Date.parse(started.body.now);
      // The clock runs in real time between the request's arrival and its turn: each step must read the clock at its turn.
      for (const advance of ["PT0S", "PT0.0000001S", "PT0S", "PT0.001S"]) {
        await new Promise((resolve) => setTimeout(resolve, 15));
        const r = await f.service.api("POST", "/sandbox/clock", { advance, run: true });
        assert.equal(r.status, 200, `${advance}: ${JSON.stringify(r.body)}`);
        assert.ok(Date.parse(r.body.now) >= last + 15, `${advance}: the running clock moved on (${r.body.now})`);
        last = Date.parse(r.body.now);
      }
      const back = await f.service.api("POST", "/sandbox/clock", { to: new Date(last - 3_600_000).toISOString() });
      assert.equal(back.status, 409, JSON.stringify(back.body));
      assert.equal(back.body.error.code, "clock_backwards");
      assert.equal(back.body.error.field, "to");
      const stopped = await f.service.api("POST", "/sandbox/clock", { advance: "PT0S" });
      assert.equal(stopped.status, 200);
      assert.equal((await f.service.api("GET", "/sandbox/clock")).body.running, false);
    });
  });
}
