/**
 * The team a silent device's task went to: `network_devices.silent_team_id`, set
 * when the `device-silent` phase tells the member's team. A member who moves to
 * another team while the device stays silent leaves it different from the
 * member's team; the `device-silent-moved` phase then tells the new team (the old
 * one no longer looks after the member). Devices silent before this migration
 * count as told to the member's team of now.
 */
import type { Migration } from "../../../store/migrations.ts";

export const silentDeviceTeamMigration: Migration = {
  id: 1060,
  name: "network-silent-device-team",
  sql: `
alter table network_devices add column silent_team_id uuid;
update network_devices set silent_team_id = (select m.team_id from members m where m.id = network_devices.member_id)
  where silent_since is not null;
create index network_devices_silent on network_devices (organisation_id, member_id) where silent_since is not null;
`,
};
