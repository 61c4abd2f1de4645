/**
 * The regional network's migrations, ids 1000–1999 (store/migrations.ts applies
 * them after the core's). Each helper file holds one; append in id order.
 */
import type { Migration } from "../../store/migrations.ts";
import { registrationNumbersMigration } from "./migrations/1000-registration-numbers.ts";
import { partnersAndReportsMigration } from "./migrations/1010-partners-and-reports.ts";
import { devicesMigration } from "./migrations/1030-devices.ts";
import { finderCallsMigration } from "./migrations/1040-finder-calls.ts";
import { consentsMigration } from "./migrations/1050-consents.ts";
import { silentDeviceTeamMigration } from "./migrations/1060-silent-device-team.ts";

export const NETWORK_MIGRATIONS: Migration[] = [
  registrationNumbersMigration,
  partnersAndReportsMigration,
  devicesMigration,
  finderCallsMigration,
  consentsMigration,
  silentDeviceTeamMigration,
];
