/**
 * Sharing a member's details with a referral's provider is one transaction with
 * the referral (engine/referrals.ts shareReferral, the ShareMemberDetails port):
 * a share the referral refuses (deleted) or fails to record leaves no disclosure
 * in the member's record, and a share that goes through leaves exactly one, named
 * by the referral. On every database.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { shareReferral } from "../../src/directory/engine/referrals.ts";
import type { ShareMemberDetails } from "../../src/directory/engine/ports.ts";
import { newId } from "../../src/ids.ts";
import { recordDisclosureIn } from "../../src/network/engine/consents.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`a referral's share and its disclosure on ${kind}`, () => {
    let service: TestService;
    let org: string;
    let memberId: string;
    let provider: string;

    const disclosures = async () => (await service.api("GET", `/members/${memberId}/disclosures`)).body.disclosures as { id: string; recipient: string }[];
    const referral = async () => {
      const r = await service.api("POST", "/directory/referrals", { memberId, providerId: provider, note: "買い物支援" });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id as string;
    };

    before(async () => {
      service = await startTestService(kind);
      const created = await service.api("POST", "/members", memberBody({ address: "〒650-0001 神戸市中央区加納町1-2-3" }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      memberId = created.body.id;
      org = (await service.store.db.selectFrom("members").select("organisation_id").where("id", "=", memberId).executeTakeFirstOrThrow()).organisation_id;
      provider = newId();
      const now = new Date("2027-01-01T00:00:00Z");
      await service.store.db.insertInto("directory_organizations").values({ id: provider, organisation_id: org, name: "中央区社会福祉協議会", created_at: now, updated_at: now })
        .execute();
      const consent = await service.api("POST", `/members/${memberId}/consents`,
        { purpose: "share_partners", decision: "permit", method: "paper", givenAt: "2027-01-04T09:00:00+09:00" });
      assert.equal(consent.status, 201, JSON.stringify(consent.body));
    });
    after(async () => {
      await service?.close();
    });

    test("a deleted referral refuses the share, and no disclosure is recorded though the member consented", async () => {
      const id = await referral();
      assert.equal((await service.api("POST", `/directory/referrals/${id}/deletion`, { reason: "取り違え" })).status, 200);
      const refused = await service.api("POST", `/directory/referrals/${id}/share`, { fields: ["displayName", "address"] });
      assert.deepEqual([refused.status, refused.body.error.code], [409, "referral_deleted"]);
      assert.deepEqual(await disclosures(), []);
    });

    test("when the referral's own record of the share fails, the disclosure written in its transaction is rolled back", async () => {
      const id = await referral();
      let written = 0;
      // The network's real disclosure, then an id the referral's uuid column refuses: the failure comes after the disclosure is written.
      const share: ShareMemberDetails = async (tx, organisationId, member, what, by, now) => {
        await recordDisclosureIn(tx, organisationId, member, { ...what, recipientKind: "partner" }, by, now);
        written++;
        return { allowed: true, disclosureId: "not-a-uuid" };
      };
      await assert.rejects(shareReferral(service.store.db, org, id, ["displayName"], share, "token:test", new Date("2027-01-05T00:00:00Z")));
      assert.equal(written, 1, "the disclosure was written before the failure");
      assert.deepEqual(await disclosures(), []);
      const after = (await service.api("GET", `/directory/referrals/${id}`)).body;
      assert.deepEqual([after.sharedFields, after.disclosureId, after.events.map((e: { kind: string }) => e.kind)], [[], null, ["create"]]);
    });

    test("a share that goes through leaves one disclosure, the one the referral names", async () => {
      const id = await referral();
      const shared = await service.api("POST", `/directory/referrals/${id}/share`, { fields: ["displayName", "address"] });
      assert.equal(shared.status, 200, JSON.stringify(shared.body));
      assert.deepEqual((await disclosures()).map((d) => [d.id, d.recipient]), [[shared.body.disclosureId, "中央区社会福祉協議会"]]);
    });
  });
}
