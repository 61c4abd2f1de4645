/**
 * Contact commands on every database, called as any caller (the API, LINE's
 * events) calls them: positions stay 1…n under concurrent additions, moves and
 * removals; confirmation requests are queued and cancelled with their cause;
 * invitations are used once.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  acceptInvitationIn, addContact, addContactIn, confirmContactIn, INVITATION_HOURS, inviteContact, inviteNewContactIn, isContactOf,
  listContacts, listOrganisationContacts, removeContact, requestConfirmation, updateContact,
} from "../../src/engine/contacts.ts";
import { createMembers } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { inTransaction } from "../../src/store/db.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const NOW = new Date("2027-01-04T08:00:00+09:00");
const sandboxContact = (name: string) => ({ displayName: name, relation: "neighbour", channels: [{ kind: "sandbox" as const, address: name }] });
const phoneContact = { displayName: "電話の人", relation: "son", channels: [{ kind: "voice" as const, address: "+819012345678" }] };

for (const kind of databaseKinds()) {
  describe(`contact commands on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    let otherOrganisationId: string;
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "contacts", NOW));
      ({ organisationId: otherOrganisationId } = await createOrganisation(store.db, "other", NOW));
    });
    after(async () => {
      await store?.dispose();
    });

    const newMember = async (name = "見守られる人") => {
      const [id] = await createMembers(store.db, organisationId, [{
        displayName: name, channels: [{ kind: "sandbox", address: name }], plan: { every: "1d", at: "09:00" },
      }], NOW);
      return id;
    };
    const positions = async (memberId: string) =>
      ((await listContacts(store.db, organisationId, memberId)) ?? []).map((c) => [c.display_name, c.position]);
    const queued = (contactId: string) =>
      store.db.selectFrom("outbox").select(["message_kind", "status", "cancel_reason", "idempotency_key"])
        .where("recipient_kind", "=", "contact").where("recipient_id", "=", contactId).orderBy("created_at").orderBy("id").execute();

    test("contacts are added at the end; one whose first channel is a call is asked to confirm, a sandbox one is not", async () => {
      const memberId = await newMember();
      const first = await addContact(store.db, organisationId, memberId, sandboxContact("一"), NOW);
      const second = await addContact(store.db, organisationId, memberId, phoneContact, NOW);
      assert.ok(first && second);
      assert.deepEqual(await positions(memberId), [["一", 1], ["電話の人", 2]]);
      assert.deepEqual(second.channels, phoneContact.channels);
      assert.equal(second.confirmed_at, null);
      assert.deepEqual(await queued(first.id), []);
      assert.deepEqual((await queued(second.id)).map((m) => [m.message_kind, m.status, m.idempotency_key]),
        [["contact_confirm", "pending", `contact_confirm:${second.id}`]]);
      assert.equal(await isContactOf(store.db, organisationId, memberId, second.id), true);
      assert.equal(await isContactOf(store.db, otherOrganisationId, memberId, second.id), false);
    });

    test("another organisation's member gets no contact, and its lists show nothing of this one", async () => {
      const memberId = await newMember();
      assert.equal(await addContact(store.db, otherOrganisationId, memberId, sandboxContact("x"), NOW), undefined);
      assert.equal(await listContacts(store.db, otherOrganisationId, memberId), undefined);
      await addContact(store.db, organisationId, memberId, sandboxContact("見える"), NOW);
      const mine = await listOrganisationContacts(store.db, organisationId, { limit: 1000 });
      assert.ok(mine.some((c) => c.member_id === memberId && c.member_name === "見守られる人"));
      assert.deepEqual(await listOrganisationContacts(store.db, otherOrganisationId, { limit: 1000 }), []);
    });

    test("additions at the same moment take consecutive positions (the member's row is locked)", async () => {
      const memberId = await newMember();
      await Promise.all(Array.from({ length: 8 }, (_, i) =>
        inTransaction(store.db, (tx) => addContactIn(tx, organisationId, memberId, sandboxContact(`c${i}`), NOW))));
      const list = (await positions(memberId)).map(([, p]) => p);
      assert.deepEqual(list, [1, 2, 3, 4, 5, 6, 7, 8]);
    });

    test("a contact moved up pushes the others down; removing one closes the gap and cancels its queued messages", async () => {
      const memberId = await newMember();
      const a = await addContact(store.db, organisationId, memberId, sandboxContact("A"), NOW);
      const b = await addContact(store.db, organisationId, memberId, sandboxContact("B"), NOW);
      const c = await addContact(store.db, organisationId, memberId, phoneContact, NOW);
      assert.ok(a && b && c);
      const moved = await updateContact(store.db, organisationId, c.id, { position: 1, relation: "daughter" }, NOW);
      assert.equal(moved?.relation, "daughter");
      assert.deepEqual(await positions(memberId), [["電話の人", 1], ["A", 2], ["B", 3]]);
      await updateContact(store.db, organisationId, a.id, { position: 10 }, NOW);
      assert.deepEqual(await positions(memberId), [["電話の人", 1], ["B", 2], ["A", 3]], "beyond the end means last");
      assert.equal(await updateContact(store.db, otherOrganisationId, a.id, { relation: "x" }, NOW), undefined);

      assert.equal(await removeContact(store.db, organisationId, c.id, NOW), true);
      assert.deepEqual(await positions(memberId), [["B", 1], ["A", 2]]);
      assert.deepEqual((await queued(c.id)).map((m) => [m.message_kind, m.status, m.cancel_reason]),
        [["contact_confirm", "cancelled", "recipient_gone"]]);
      assert.equal(await removeContact(store.db, organisationId, c.id, NOW), false);
      assert.equal(await removeContact(store.db, otherOrganisationId, a.id, NOW), false);
    });

    test("a confirmation request is asked again once a minute; confirming cancels what is queued; a confirmed contact is not asked", async () => {
      const memberId = await newMember();
      const line = await addContact(store.db, organisationId, memberId, { ...sandboxContact("L"), channels: [{ kind: "line", address: "Uabc" }] }, NOW);
      const phone = await addContact(store.db, organisationId, memberId, phoneContact, NOW);
      assert.ok(line && phone);
      assert.equal(await requestConfirmation(store.db, organisationId, line.id, NOW), "no_confirm_channel");
      assert.equal(await requestConfirmation(store.db, otherOrganisationId, phone.id, NOW), "not_found");
      assert.equal(await requestConfirmation(store.db, organisationId, phone.id, NOW), "requested");
      assert.equal(await requestConfirmation(store.db, organisationId, phone.id, new Date(NOW.getTime() + 10_000)), "requested");
      assert.equal((await queued(phone.id)).length, 2, "the request on adding and one repeat: a second request within the minute asks nothing more");

      assert.equal(await inTransaction(store.db, (tx) => confirmContactIn(tx, otherOrganisationId, phone.id, NOW)), "missing");
      assert.equal(await inTransaction(store.db, (tx) => confirmContactIn(tx, organisationId, phone.id, NOW)), "confirmed");
      assert.deepEqual((await queued(phone.id)).map((m) => [m.status, m.cancel_reason]),
        [["cancelled", "contact_confirmed"], ["cancelled", "contact_confirmed"]]);
      assert.equal(await inTransaction(store.db, (tx) => confirmContactIn(tx, organisationId, phone.id, NOW)), "already");
      assert.equal(await requestConfirmation(store.db, organisationId, phone.id, NOW), "already_confirmed");
      const unconfirmed = await listOrganisationContacts(store.db, organisationId, { confirmed: false, limit: 1000 });
      const confirmed = await listOrganisationContacts(store.db, organisationId, { confirmed: true, limit: 1000 });
      assert.ok(unconfirmed.some((c) => c.id === line.id) && !unconfirmed.some((c) => c.id === phone.id));
      assert.ok(confirmed.some((c) => c.id === phone.id) && !confirmed.some((c) => c.id === line.id));
      const cleared = await updateContact(store.db, organisationId, phone.id, { confirmed: false }, NOW);
      assert.equal(cleared?.confirmed_at, null);
    });

    test("a member's invitation adds a placeholder at the end; the code, sent from LINE, makes it a confirmed LINE contact once", async () => {
      const memberId = await newMember("招待する人");
      await addContact(store.db, organisationId, memberId, sandboxContact("先"), NOW);
      const invitation = await inTransaction(store.db, (tx) => inviteNewContactIn(tx, organisationId, memberId, NOW));
      assert.ok(invitation);
      assert.match(invitation.code, /^[A-HJ-NP-Z2-9]{6}$/);
      assert.equal(invitation.expiresAt.getTime(), NOW.getTime() + INVITATION_HOURS * 3_600_000);
      assert.deepEqual(await positions(memberId), [["先", 1], ["招待中の連絡先", 2]]);
      assert.deepEqual(await queued(invitation.contactId), [], "no channel yet: nobody is asked");

      const later = new Date(NOW.getTime() + 3_600_000);
      const address = { kind: "line" as const, address: "Uinvitee" };
      assert.deepEqual(await inTransaction(store.db, (tx) => acceptInvitationIn(tx, otherOrganisationId, invitation.code, address, later)),
        { status: "unknown" });
      const accepted = await inTransaction(store.db, (tx) => acceptInvitationIn(tx, organisationId, invitation.code.toLowerCase(), address, later));
      assert.deepEqual(accepted, { status: "accepted", contactId: invitation.contactId, memberId, memberName: "招待する人" });
      const [, contact] = (await listContacts(store.db, organisationId, memberId)) ?? [];
      assert.equal(contact.display_name, "LINEの連絡先");
      assert.deepEqual(contact.channels, [address]);
      assert.deepEqual(contact.confirmed_at, later);
      assert.deepEqual(await inTransaction(store.db, (tx) => acceptInvitationIn(tx, organisationId, invitation.code, address, later)),
        { status: "used_or_expired" });
      assert.equal(await inTransaction(store.db, (tx) => inviteNewContactIn(tx, otherOrganisationId, memberId, NOW)), undefined);
    });

    test("staff invite an existing contact: a named contact keeps its name and other channels; an expired code changes nothing", async () => {
      const memberId = await newMember();
      const contact = await addContact(store.db, organisationId, memberId, phoneContact, NOW);
      assert.ok(contact);
      assert.equal(await inviteContact(store.db, otherOrganisationId, contact.id, NOW), undefined);
      const expired = await inviteContact(store.db, organisationId, contact.id, NOW);
      const fresh = await inviteContact(store.db, organisationId, contact.id, NOW);
      assert.ok(expired && fresh);
      const late = new Date(expired.expiresAt.getTime() + 1);
      const address = { kind: "line" as const, address: "Ustaff" };
      assert.deepEqual(await inTransaction(store.db, (tx) => acceptInvitationIn(tx, organisationId, expired.code, address, late)),
        { status: "used_or_expired" });
      assert.equal((await inTransaction(store.db, (tx) => acceptInvitationIn(tx, organisationId, fresh.code, address, NOW))).status, "accepted");
      const [stored] = (await listContacts(store.db, organisationId, memberId)) ?? [];
      assert.equal(stored.display_name, "電話の人");
      assert.deepEqual(stored.channels, [address, ...phoneContact.channels]);
    });
  });
}
