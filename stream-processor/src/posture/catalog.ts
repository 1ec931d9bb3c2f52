// Every posture assessment, in report order. Adding one: a file beside this with its test, then a line here.
import type { PostureAssessment } from "./assessment.ts";
import { adminSdHolderPermissions } from "./adminsdholder-permissions.ts";
import { clearTextCredentials } from "./clear-text-credentials.ts";
import { dcsyncPermissions } from "./dcsync-permissions.ts";
import { dormantSensitiveEntities } from "./dormant-sensitive-entities.ts";
import { guestEnabled } from "./guest-enabled.ts";
import { legacyProtocols } from "./legacy-protocols.ts";
import { nonDefaultPrimaryGroup } from "./non-default-primary-group.ts";
import { oldBuiltinAdminPassword } from "./old-builtin-admin-password.ts";
import { oldKrbtgtPassword } from "./old-krbtgt-password.ts";
import { riskiestLateralMovementPaths } from "./riskiest-lateral-movement-paths.ts";
import { unmonitoredDomainControllers } from "./unmonitored-domain-controllers.ts";
import { unsecureAccountAttributes } from "./unsecure-account-attributes.ts";
import { unsecureDomainConfiguration } from "./unsecure-domain-configuration.ts";
import { unsecureKerberosDelegation } from "./unsecure-kerberos-delegation.ts";
import { unsecureSidHistory } from "./unsecure-sid-history.ts";
import { weakCipherUsage } from "./weak-cipher-usage.ts";

/** All posture assessments. */
export const POSTURE_ASSESSMENTS: readonly PostureAssessment[] = [
  unsecureKerberosDelegation,
  dormantSensitiveEntities,
  clearTextCredentials,
  weakCipherUsage,
  legacyProtocols,
  unsecureAccountAttributes,
  unsecureDomainConfiguration,
  adminSdHolderPermissions,
  dcsyncPermissions,
  riskiestLateralMovementPaths,
  unmonitoredDomainControllers,
  unsecureSidHistory,
  oldKrbtgtPassword,
  oldBuiltinAdminPassword,
  guestEnabled,
  nonDefaultPrimaryGroup,
];
