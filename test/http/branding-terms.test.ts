/**
 * Branding and terms of use through the API, on every database: the service
 * name members read (in the messages' prefix and on the check-in page), the
 * logo (checked by its bytes, served publicly from our own origin), versions of
 * the terms (a new version asks members again on their channel, a phone member
 * is left to staff, nobody stops being watched, the count of who agreed),
 * agreement through the one-tap link page, and each channel's health.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MAX_LOGO_BYTES } from "../../src/domain/branding.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { postbacksIn, startLineFixture } from "../support/line-fixture.ts";
import { follow, postback, text } from "../support/line-webhook.ts";
import { memberBody, type SandboxMessage, sandbox } from "../support/sandbox.ts";

/** A PNG's signature and a minimal header: the API checks the first bytes only. */
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

for (const kind of databaseKinds()) {
  describe(`branding and terms on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    test("the service name: default until set, then in every message's prefix and on the check-in page; cleared back to the default", async () => {
      const start = await service.api("GET", "/branding");
      assert.equal(start.status, 200);
      assert.equal(start.body.serviceName, null);
      assert.deepEqual(start.body.defaultServiceName, { ja: "見守り", en: "Mimamori" });
      for (const body of [{}, { serviceName: "x".repeat(31) }, { serviceName: "a\u0000b" }, { serviceName: "ok", extra: 1 }]) {
        const r = await service.api("PUT", "/branding", body);
        assert.equal(r.status, 400, JSON.stringify(body));
      }
      assert.equal((await service.api("GET", "/branding")).body.serviceName, null, "nothing written by a refused request");
      const set = await service.api("PUT", "/branding", { serviceName: "まつど見守り" });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.serviceName, "まつど見守り");
      const observer = (await service.api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token;
      assert.equal((await service.api("PUT", "/branding", { serviceName: "x" }, observer)).status, 403);
      assert.equal((await service.api("GET", "/branding", undefined, observer)).body.serviceName, "まつど見守り");
      const log = await service.api("GET", "/audit-log?action=branding.service_name");
      assert.ok(log.body.entries.some((e: { action: string }) => e.action === "branding.service_name"));
    });

    test("the logo: PNG, JPEG or WebP by their bytes, at most 512 KiB; served publicly with its type; a refusal writes nothing", async () => {
      const html = Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>");
      const refusedType = await service.api("PUT", "/branding/logo", { content: html.toString("base64") });
      assert.equal(refusedType.status, 422);
      assert.equal(refusedType.body.error.code, "logo_invalid");
      assert.equal(refusedType.body.error.field, "content");
      const big = Buffer.concat([PNG, Buffer.alloc(MAX_LOGO_BYTES)]);
      const refusedSize = await service.api("PUT", "/branding/logo", { content: big.toString("base64") });
      assert.ok([400, 413].includes(refusedSize.status), String(refusedSize.status));
      assert.equal((await service.api("PUT", "/branding/logo", { content: "not base64!" })).status, 400);
      assert.equal((await service.api("PUT", "/branding/logo", { content: "" })).body.error.code, "logo_invalid");
      assert.equal((await service.api("GET", "/branding")).body.logo, null, "nothing stored by the refusals");

      const saved = await service.api("PUT", "/branding/logo", { content: PNG.toString("base64") });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.equal(saved.body.logo.contentType, "image/png");
      const path: string = saved.body.logo.path;
      assert.match(path, /^\/api\/v1\/branding\/[0-9a-f-]{36}\/logo\?v=[0-9a-f]{16}$/);
      const image = await fetch(`${service.url}${path}`);
      assert.equal(image.status, 200);
      assert.equal(image.headers.get("content-type"), "image/png");
      assert.equal(image.headers.get("x-content-type-options"), "nosniff");
      assert.deepEqual(Buffer.from(await image.arrayBuffer()), PNG);

      const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(16)]);
      const replaced = await service.api("PUT", "/branding/logo", { content: jpeg.toString("base64") });
      assert.equal(replaced.body.logo.contentType, "image/jpeg");
      assert.notEqual(replaced.body.logo.path, path, "a new logo has a new address");
      assert.equal((await service.api("DELETE", "/branding/logo")).status, 204);
      assert.equal((await fetch(`${service.url}${replaced.body.logo.path}`)).status, 404);
      assert.equal((await service.api("DELETE", "/branding/logo")).status, 404);
      assert.equal((await service.api("PUT", "/branding/logo", { content: PNG.toString("base64") })).status, 200);
    });

    test("a new version of the terms asks members again on their channel (phone members by staff), counts who agreed, and the link page records the agreement", async () => {
      const sb = sandbox(service.api);
      const smsMember = (await service.api("POST", "/members", memberBody({
        displayName: "規約 SMS", channels: [{ kind: "sms", address: "+819012340001" }], consent: { termsVersion: "1", at: "2026-11-01T09:00:00+09:00" },
      }))).body;
      const phoneMember = (await service.api("POST", "/members", memberBody({ displayName: "規約 電話", channels: [{ kind: "voice", address: "+819012340002" }] }))).body;
      await sb.delivered();

      for (const body of [{ version: "2" }, { version: "", body: "本文" }, { version: "2 ", body: "x", extra: 1 }, { version: "2", url: "javascript:alert(1)" }]) {
        assert.equal((await service.api("POST", "/terms", body)).status, 400, JSON.stringify(body));
      }
      assert.equal((await service.api("GET", "/terms")).body.current, null, "nothing published by the refusals");

      const v1 = await service.api("POST", "/terms", { version: "1", body: "第1条 この規約は…" });
      assert.equal(v1.status, 201, JSON.stringify(v1.body));
      let summary = (await service.api("GET", "/terms")).body;
      assert.equal(summary.current.version, "1");
      assert.equal(summary.agreed, 1, "the SMS member had agreed to version 1 already");

      const v2 = await service.api("POST", "/terms", { version: "2", body: "第1条 改定後の規約です。\n第2条 …", url: "https://example.org/terms/2" });
      assert.equal(v2.status, 201, JSON.stringify(v2.body));
      assert.equal(v2.body.byStaff >= 1, true, "the phone member is left to staff");
      summary = (await service.api("GET", "/terms")).body;
      assert.equal(summary.current.version, "2");
      assert.equal(summary.agreed, 0, "nobody agreed to version 2 yet");
      assert.deepEqual(summary.versions.map((v: { version: string }) => v.version), ["2", "1"]);
      assert.equal((await service.api("POST", "/terms", { version: "2", body: "again" })).body.error.code, "terms_version_taken");

      await sb.advance("PT1M");
      let requests: SandboxMessage[] = [];
      for (let i = 0; i < 50 && !requests.some((m) => m.to.id === smsMember.id && m.payload.termsVersionId === v2.body.id); i++) {
        requests = [...requests, ...(await sb.delivered()).filter((m) => m.kind === "terms_request")];
        if (!requests.some((m) => m.to.id === smsMember.id && m.payload.termsVersionId === v2.body.id)) await new Promise((r) => setTimeout(r, 100));
      }
      const request = requests.find((m) => m.to.id === smsMember.id && m.payload.termsVersionId === v2.body.id);
      assert.ok(request, "the SMS member was asked");
      assert.ok(!requests.some((m) => m.to.id === phoneMember.id), "the phone member was not messaged");
      assert.match(request.text, /^【まつど見守り】利用規約を改定しました（第2版）/, "the service name is the prefix");
      const link = request.payload.link as string;
      const page = await fetch(link);
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.match(html, /改定後の規約です/);
      assert.match(html, /<title>[^<]*まつど見守り<\/title>/);
      assert.match(html, /<img class="logo" src="\/api\/v1\/branding\/[0-9a-f-]{36}\/logo\?v=/);
      assert.match(page.headers.get("content-security-policy") ?? "", /img-src 'self'/);

      const agreed = await fetch(link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "action=agree" });
      assert.equal(agreed.status, 200);
      assert.match(await agreed.text(), /同意を受け付けました/);
      const member = (await service.api("GET", `/members/${smsMember.id}`)).body;
      assert.equal(member.consent.termsVersion, "2");
      assert.equal((await service.api("GET", "/terms")).body.agreed, 1);
      // Staff record the phone member's agreement on the member's page.
      const recorded = await service.api("PATCH", `/members/${phoneMember.id}`, { consent: { termsVersion: "2", at: "2027-01-04T10:00:00+09:00" } });
      assert.equal(recorded.status, 200, JSON.stringify(recorded.body));
      assert.equal((await service.api("GET", "/terms")).body.agreed, 2);
      // Nobody stops being watched for paperwork: the members who have not agreed keep their next check-in.
      const members = (await service.api("GET", "/members?limit=100")).body.members as { id: string; nextDueAt: string | null; active?: boolean }[];
      assert.ok(members.every((m) => m.nextDueAt !== null), "every member still has a next check-in");
    });

    test("each channel's answer carries its health", async () => {
      for (const path of ["/channels/line", "/channels/twilio", "/channels/email"]) {
        const r = await service.api("GET", path);
        assert.equal(r.status, 200);
        assert.ok(Array.isArray(r.body.health), `${path} has health`);
      }
    });
  });
}

for (const kind of databaseKinds()) {
  describe(`terms on LINE on ${kind}`, () => {
    test("a LINE member gets the new version with an 同意する button under the service name; the tap records the agreement", async () => {
      const fixture = await startLineFixture(kind);
      try {
        const { service } = fixture;
        const userId = `U${"a1".repeat(16)}`;
        // A member who registers on LINE agrees to the current published version.
        assert.equal((await service.api("POST", "/terms", { version: "2", url: "https://example.org/terms/2" })).status, 201);
        await fixture.send(follow(userId));
        assert.match(fixture.lastTextTo(userId), /第2版/);
        for (const choice of ["a=reg&reg=consent&v=yes", "a=reg&reg=every&v=1d", "a=reg&reg=at&v=09:00"]) await fixture.send(postback(userId, choice));
        await fixture.send(text(userId, "LINE 会員"));
        const listed = (await service.api("GET", "/members?limit=10")).body.members as { id: string; displayName: string }[];
        const member = listed.find((m) => m.displayName === "LINE 会員");
        assert.ok(member, "registered on LINE");
        assert.equal((await service.api("GET", `/members/${member.id}`)).body.consent?.termsVersion, "2");
        assert.equal((await service.api("PUT", "/branding", { serviceName: "かしわ見守り" })).status, 200);
        const published = await service.api("POST", "/terms", { version: "3", url: "https://example.org/terms/3" });
        assert.equal(published.status, 201, JSON.stringify(published.body));
        let data: string | undefined;
        for (let i = 0; i < 100 && !data; i++) {
          await service.api("POST", "/sandbox/clock", { advance: "PT0S" });
          data = fixture.pushesTo(userId).flatMap((p) => postbacksIn(p.body)).find((d) => d.startsWith("a=terms&"));
          if (!data) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(data, `a=terms&t=${published.body.id}`);
        assert.match(fixture.lastTextTo(userId), /^【かしわ見守り】利用規約を改定しました（第3版）/);
        assert.equal((await service.api("GET", `/members/${member.id}`)).body.consent?.termsVersion, "2", "still version 2 until the tap");
        await fixture.send(postback(userId, data));
        const after = (await service.api("GET", `/members/${member.id}`)).body;
        assert.equal(after.consent?.termsVersion, "3");
        assert.equal((await service.api("GET", "/terms")).body.agreed, 1);
      } finally {
        await fixture.close();
      }
    });
  });
}
