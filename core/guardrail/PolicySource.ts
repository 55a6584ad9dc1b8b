import type { HeldAddOn } from "../plans/AddOn.js"
import type { Override } from "../plans/Override.js"
import type { Rule } from "../rbac/Rule.js"
import type { Guild } from "../tenancy/Guild.js"
import type { Tenant } from "../tenancy/Tenant.js"

/** A feature's state in one guild. */
export interface GuildFeatureState {
  readonly featureKey: string
  readonly enabled: boolean
  /** Stored config (validated and migrated against the feature's schema when read). */
  readonly config: unknown
  readonly configVersion: number
}

/**
 * Everything a guild's policy snapshot is built from, as the store loads it
 * in one round trip. Plans and add-on definitions come from the in-process
 * catalog, not the store.
 */
export interface PolicySource {
  readonly tenant: Tenant
  readonly guild: Guild
  readonly held: ReadonlyArray<HeldAddOn>
  readonly overrides: ReadonlyArray<Override>
  readonly features: ReadonlyArray<GuildFeatureState>
  /** Platform and tenant rules of this guild. */
  readonly rules: ReadonlyArray<Rule>
  /** Platform kill switches: "*" stops every command, a feature key stops that feature. */
  readonly killSwitches: ReadonlyArray<string>
  /** Bumped by every write that changes this guild's policy. */
  readonly version: number
}
