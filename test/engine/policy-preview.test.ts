/**
 * The policy editor's preview (domain/timeline.ts, POST /escalation-policy/preview)
 * against what the engine does: a scripted silent member with three contacts is
 * run through the sandbox clock, and every message the engine delivers (and the
 * incident it opens) is compared with the preview computed before the member existed.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody, plus, sandbox, summary } from "../support/sandbox.ts";

interface Entry { at: string; kind: string; contact?: number }

/** The preview's entries in the sandbox summary's words: "+27h alert contact1". */
function previewSummary(entries: Entry[], base: string): string[] {
  const out: string[] = [];
  for (const e of entries) {
    const hours = (Date.parse(e.at) - Date.parse(base)) / 3_600_000;
    const what = e.kind === "prompt" ? "prompt member" : e.kind === "resend" ? "resend member" : e.kind === "alert_team" ? "alert team"
      : e.kind === "alert_contact" ? `alert contact${e.contact}` : undefined;
    if (what) out.push(`+${hours}h ${what}`);
  }
  return out;
}

for (const kind of databaseKinds()) {
  describe(`policy preview equals the engine on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    async function compare(policies: unknown, label: (s: string) => string = (s) => s) {
      const sb = sandbox(service.api);
      await sb.delivered();
      const preview = await service.api("POST", "/escalation-policy/preview", { ...(policies ? { policies } : {}), contacts: 3 });
      assert.equal(preview.status, 200, JSON.stringify(preview.body));
      const line = preview.body.channels.find((c: { channel: string }) => c.channel === "line");
      const r = await service.api("POST", "/members", memberBody());
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const member = r.body;
      assert.equal(member.nextDueAt, preview.body.firstDueAt, "the sample's first prompt is the new member's");
      const names: Record<string, string> = { [member.id]: "member", [member.teamId]: "team" };
      member.contacts.forEach((c: { id: string }, i: number) => {
        names[c.id] = `contact${i + 1}`;
      });
      const entries: Entry[] = line.entries;
      const last = entries.at(-1) as Entry;
      // Run the engine to the preview's last entry, and an hour past it: nothing more may happen.
      await sb.clockTo(plus(last.at, 1));
      const engine = summary(await sb.delivered(), names, member.nextDueAt, member.id).filter((s) => / (prompt|resend|alert) /.test(s));
      const expected = previewSummary(entries, member.nextDueAt);
      assert.ok(expected.length >= 4, "the preview shows a chain");
      assert.deepEqual(engine.map(label), expected.map(label));
      const incidents = (await service.api("GET", `/incidents?status=unresolved&memberId=${member.id}`)).body.incidents;
      const opened = entries.find((e) => e.kind === "incident");
      assert.equal(incidents.length, 1);
      assert.equal(incidents[0].openedAt, opened?.at, "the incident opens when the preview says");
      assert.deepEqual(line.acknowledgement.at, opened?.at);
      await service.api("DELETE", `/members/${member.id}`);
      return expected;
    }

    test("the built-in policy: prompt, re-send with the next day's prompt at +24 h, team and contacts from +27 h", async () => {
      // At +24 h the re-send and the next day's prompt are one message: which of the two the
      // engine writes depends on which deciding worker is first, so both read "asked".
      const expected = await compare(undefined, (s) => s.replace(/ (prompt|resend) /, " asked "));
      assert.deepEqual(expected, ["+0h prompt member", "+24h resend member", "+27h alert team", "+27h alert contact1", "+28h alert contact2",
        "+29h alert contact3"]);
    });

    test("an edited, unsaved policy previews what the engine does once it is saved", async () => {
      const standard = {
        steps: [
          { after: "PT2H", action: "resend" },
          { after: "PT1H30M", action: "open_incident" },
          { after: "PT0S", action: "notify_team" },
          { after: "PT15M", action: "notify_contact", contact: 2 },
          { after: "PT30M", action: "notify_next_contact", repeat: true },
        ],
      };
      const sb = sandbox(service.api);
      const unsavedPreview = await service.api("POST", "/escalation-policy/preview", { policies: { standard }, contacts: 3 });
      assert.equal(unsavedPreview.status, 200);
      const saved = await service.api("PUT", "/escalation-policy", { standard });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      await sb.delivered();
      const expected = await compare(undefined);
      assert.deepEqual(expected, [
        "+0h prompt member", "+2h resend member", "+3.5h alert team", "+3.75h alert contact2", "+4.25h alert contact3",
      ]);
      const unsaved = unsavedPreview.body.channels.find((c: { channel: string }) => c.channel === "line").entries;
      assert.deepEqual(previewSummary(unsaved, unsavedPreview.body.firstDueAt), expected, "the unsaved preview was the same");
      const reset = await service.api("DELETE", "/escalation-policy");
      assert.equal(reset.status, 200);
      assert.equal(reset.body.customised, false);
    });
  });
}
