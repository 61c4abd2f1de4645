/**
 * Registering many services at once (engine/service-import.ts) on both
 * databases: the rows and the history are those the single commands write for
 * the same input (a service, its codes, its areas), so the bench's bulk-loaded
 * directory has the shape of one entered service by service; a refusal names the
 * item and field and writes nothing. Search and matching find a service by the
 * codes it carries now (the array migration 2040 keeps beside the attributes).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createDirectoryOrganization } from "../../src/directory/engine/organizations.ts";
import { addDirectoryServiceArea, setDirectoryTaxonomyCodes } from "../../src/directory/engine/parts.ts";
import { directoryHistory } from "../../src/directory/engine/records.ts";
import { importDirectoryServices } from "../../src/directory/engine/service-import.ts";
import { serviceCandidates } from "../../src/directory/engine/matches.ts";
import { createDirectoryService, getDirectoryService, listDirectoryServices } from "../../src/directory/engine/services.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const NOW = new Date("2027-01-04T00:00:00Z");
const BY = "token:staff:1";

for (const kind of databaseKinds()) {
  describe(`importing services on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    let providerId: string;
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "import", NOW));
      const provider = await createDirectoryOrganization(store.db, organisationId, { name: "本町社協" }, BY, NOW);
      assert.ok(provider.ok);
      providerId = provider.value.id;
    });
    after(async () => {
      await store?.dispose();
    });

    const input = (name: string) => ({
      service: { directoryOrganizationId: providerId, name, description: "週1回 スーパーへの同行", status: "active" as const, minimumAge: 65 },
      codes: ["shopping.proxy", "transport.rides"],
      areas: [{ name: "本町", areaKind: "postal_code" as const, areaValue: "271" }, { name: "全域", areaKind: "whole" as const }],
    });
    /** A record's history without ids, in a stable order. */
    const historyOf = async (id: string) => (await directoryHistory(store.db, organisationId, id))
      .map((c) => [c.resourceType, c.action, c.field, c.previous, c.replacement === id ? "<self>" : c.replacement, c.by].join("|")).sort();

    test("an imported service has the rows and history the single commands write", async () => {
      const one = input("買い物支援");
      const created = await createDirectoryService(store.db, organisationId, one.service, BY, NOW);
      assert.ok(created.ok);
      const codes = await setDirectoryTaxonomyCodes(store.db, organisationId, "service", created.value.id, one.codes, BY, NOW);
      assert.ok(codes.ok);
      for (const area of one.areas) assert.ok((await addDirectoryServiceArea(store.db, organisationId, created.value.id, area, BY, NOW)).ok);

      const imported = await importDirectoryServices(store.db, organisationId, [input("買い物支援"), { service: { directoryOrganizationId: providerId, name: "配食" } }], BY, NOW);
      assert.ok(imported.ok, JSON.stringify(imported));
      assert.equal(imported.value.length, 2);
      const [a, b] = imported.value;
      const strip = (row: Record<string, unknown>) => ({ ...row, id: undefined });
      assert.deepEqual(strip((await getDirectoryService(store.db, organisationId, a!.id))!), strip(created.value));
      assert.equal(b!.name, "配食");
      assert.equal(b!.status, "active");

      const codesOf = async (id: string) => (await store.db.selectFrom("directory_services").select("taxonomy_codes").where("organisation_id", "=", organisationId)
        .where("id", "=", id).executeTakeFirstOrThrow()).taxonomy_codes;
      assert.deepEqual(await codesOf(a!.id), ["shopping.proxy", "transport.rides"]);
      assert.deepEqual(await codesOf(a!.id), await codesOf(created.value.id));

      const single = await historyOf(created.value.id);
      const bulk = await historyOf(a!.id);
      // The parts' rows name their own ids and the service's: compare without them.
      const noIds = (lines: string[]) => lines.map((l) => l.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>"));
      assert.deepEqual(noIds(bulk), noIds(single));
      assert.ok(single.some((l) => l.startsWith("attribute|create|taxonomy_code||shopping.proxy")), single.join("\n"));
      assert.ok(single.some((l) => l.startsWith("service_area|create|area_value||271")), single.join("\n"));

      const rows = async (table: "directory_attributes" | "directory_service_areas", column: "link_id" | "service_id", id: string) =>
        (await store.db.selectFrom(table).selectAll().where("organisation_id", "=", organisationId).where(column, "=", id).execute())
          .map((r) => ({ ...r, id: undefined, [column]: undefined })).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      assert.deepEqual(await rows("directory_attributes", "link_id", a!.id), await rows("directory_attributes", "link_id", created.value.id));
      assert.deepEqual(await rows("directory_service_areas", "service_id", a!.id), await rows("directory_service_areas", "service_id", created.value.id));
    });

    test("a service is found by its codes as they are now: added, replaced and removed (migration 2040's triggers)", async () => {
      const created = await createDirectoryService(store.db, organisationId, { directoryOrganizationId: providerId, name: "移動販売の車" }, BY, NOW);
      assert.ok(created.ok);
      const id = created.value.id;
      const found = async (codes: string[]) => (await listDirectoryServices(store.db, organisationId, { taxonomyCodes: codes, limit: 500 }, NOW))
        .services.some((s) => s.id === id);
      const candidate = async (codes: string[]) => (await serviceCandidates(store.db, organisationId, codes)).find((s) => s.id === id)?.taxonomyCodes;
      assert.equal(await found(["shopping.mobile_shop"]), false);
      assert.ok((await setDirectoryTaxonomyCodes(store.db, organisationId, "service", id, ["shopping.mobile_shop", "housework"], BY, NOW)).ok);
      assert.equal(await found(["shopping.mobile_shop"]), true);
      assert.equal(await found(["shopping"]), true, "a broader code finds narrower ones");
      assert.deepEqual(await candidate(["housework"]), ["housework", "shopping.mobile_shop"]);
      assert.ok((await setDirectoryTaxonomyCodes(store.db, organisationId, "service", id, ["housework"], BY, NOW)).ok);
      assert.equal(await found(["shopping.mobile_shop"]), false);
      assert.deepEqual(await candidate(["housework"]), ["housework"]);
      assert.ok((await setDirectoryTaxonomyCodes(store.db, organisationId, "service", id, [], BY, NOW)).ok);
      assert.equal(await found(["housework"]), false);
      assert.equal(await candidate(["housework"]), undefined);
    });

    test("a refusal names the item and field and writes nothing", async () => {
      const count = async () => Number((await store.db.selectFrom("directory_services").select((eb) => eb.fn.countAll().as("n"))
        .where("organisation_id", "=", organisationId).executeTakeFirstOrThrow()).n);
      const before = await count();
      const unknownCode = await importDirectoryServices(store.db, organisationId, [input("a"), { ...input("b"), codes: ["shopping", "no.such.code"] }], BY, NOW);
      assert.deepEqual(unknownCode, { ok: false, error: "unknown_code", field: "1.codes.1" });
      const unknownProvider = await importDirectoryServices(store.db, organisationId, [{ service: { directoryOrganizationId: organisationId, name: "x" } }], BY, NOW);
      assert.deepEqual(unknownProvider, { ok: false, error: "unknown_provider", field: "0.service.directoryOrganizationId" });
      const ages = await importDirectoryServices(store.db, organisationId, [{ service: { directoryOrganizationId: providerId, name: "x", minimumAge: 80, maximumAge: 70 } }], BY, NOW);
      assert.deepEqual(ages, { ok: false, error: "age_range", field: "0.service.maximumAge" });
      assert.equal(await count(), before);
    });
  });
}
