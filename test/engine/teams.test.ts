/**
 * Team commands on every database: the default team and a team with members
 * stay; a delete and a registration into the team at the same moment never both
 * go through (the check and the delete hold the team's row).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { createGroup, getGroup } from "../../src/engine/groups.ts";
import { createMembers, createMembersIn, MissingReference, updateMember } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import {
  createTeam, deleteTeam, getTeam, listTeams, organisationPolicies, setOrganisationPolicies, setTeamPolicies, updateTeam,
} from "../../src/engine/teams.ts";
import { DEFAULT_POLICIES } from "../../src/domain/policy.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const NOW = new Date("2027-01-04T08:00:00+09:00");
const plan = { every: "1d" as const, at: "09:00" };

for (const kind of databaseKinds()) {
  describe(`team commands on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    let defaultTeamId: string;
    let otherOrganisationId: string;
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId, teamId: defaultTeamId } = await createOrganisation(store.db, "teams", NOW));
      ({ organisationId: otherOrganisationId } = await createOrganisation(store.db, "other", NOW));
    });
    after(async () => {
      await store?.dispose();
    });

    test("a team is created, renamed and listed; another organisation sees none of it", async () => {
      const team = await createTeam(store.db, organisationId, { name: "北", channels: [{ kind: "sandbox", address: "north" }] }, NOW);
      assert.equal(team.is_default, false);
      assert.deepEqual(team.channels, [{ kind: "sandbox", address: "north" }]);
      const renamed = await updateTeam(store.db, organisationId, team.id, { name: "北ステーション" });
      assert.equal(renamed?.name, "北ステーション");
      assert.deepEqual(renamed?.channels, team.channels, "what the change does not name stays");
      assert.equal(await updateTeam(store.db, otherOrganisationId, team.id, { name: "x" }), undefined);
      assert.equal(await getTeam(store.db, otherOrganisationId, team.id), undefined);
      const names = (await listTeams(store.db, organisationId)).map((t) => t.name);
      assert.equal(names[0], "見守りステーション", "oldest first: the default team");
      assert.ok(names.includes("北ステーション"));
    });

    test("the default team and a team with members are not deleted; an empty team is, and its groups stay without a team", async () => {
      assert.equal(await deleteTeam(store.db, organisationId, defaultTeamId), "default_team");
      const team = await createTeam(store.db, organisationId, { name: "南", channels: [] }, NOW);
      const [memberId] = await createMembers(store.db, organisationId, [{ displayName: "m", channels: [], plan, teamId: team.id }], NOW);
      assert.equal(await deleteTeam(store.db, organisationId, team.id), "team_has_members");
      assert.equal(await deleteTeam(store.db, otherOrganisationId, team.id), "not_found");
      const groupId = await createGroup(store.db, organisationId, { name: "g", teamId: team.id, channels: [], memberIds: [memberId] }, NOW);
      await updateMember(store.db, organisationId, memberId, { teamId: defaultTeamId }, NOW);
      assert.equal(await deleteTeam(store.db, organisationId, team.id), "deleted");
      assert.equal(await getTeam(store.db, organisationId, team.id), undefined);
      assert.equal((await getGroup(store.db, organisationId, groupId))?.team_id, null);
      assert.equal(await deleteTeam(store.db, organisationId, team.id), "not_found");
      await assert.rejects(createMembers(store.db, organisationId, [{ displayName: "late", channels: [], plan, teamId: team.id }], NOW),
        (error: unknown) => error instanceof MissingReference && error.field === "teamId");
    });

    test("a delete while a registration into the team is not yet committed waits for it, then refuses", async () => {
      const team = await createTeam(store.db, organisationId, { name: "東", channels: [] }, NOW);
      let deleting: Promise<string> | undefined;
      await store.db.transaction().execute(async (tx) => {
        await createMembersIn(tx, organisationId, [{ displayName: "途中", channels: [], plan, teamId: team.id }], NOW);
        deleting = deleteTeam(store.db, organisationId, team.id);
        if (kind === "postgres") {
          // Commit only once the delete has reached the team's row and waits on this transaction's hold on it.
          let waiting = false;
          for (let i = 0; i < 2000 && !waiting; i++) {
            const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
              where wait_event_type = 'Lock' and query like '%"teams"%' and query not like '%pg_stat_activity%'`.execute(store.db);
            waiting = rows[0].n > 0;
            if (!waiting) await new Promise((resolve) => setTimeout(resolve, 10));
          }
          assert.ok(waiting, "the delete waits for the registration");
        }
      });
      assert.equal(await deleting, "team_has_members");
    });

    test("policies: the organisation's replace the defaults, a team's override is set and dropped", async () => {
      assert.equal(await organisationPolicies(store.db, organisationId), null);
      await setOrganisationPolicies(store.db, organisationId, { standard: DEFAULT_POLICIES.standard });
      assert.deepEqual(await organisationPolicies(store.db, organisationId), { standard: DEFAULT_POLICIES.standard });
      const team = await createTeam(store.db, organisationId, { name: "西", channels: [] }, NOW);
      assert.equal(await setTeamPolicies(store.db, organisationId, team.id, { phone: DEFAULT_POLICIES.phone }), true);
      assert.deepEqual((await getTeam(store.db, organisationId, team.id))?.escalation_policies, { phone: DEFAULT_POLICIES.phone });
      assert.equal(await setTeamPolicies(store.db, organisationId, team.id, null), true);
      assert.equal((await getTeam(store.db, organisationId, team.id))?.escalation_policies, null);
      assert.equal(await setTeamPolicies(store.db, otherOrganisationId, team.id, null), false);
    });
  });
}
