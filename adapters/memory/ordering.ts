import type { GuildFeatureState, HeldAddOn, Override, Rule } from "../../core/index.js"

/**
 * The orders the SQL repositories list in, so memory and SQL answer alike.
 * Keys compare by code unit: Postgres's "C" collation for the ASCII keys used here.
 */
export const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export const featureOrder = (a: GuildFeatureState, b: GuildFeatureState): number =>
  compareCodeUnits(a.featureKey, b.featureKey)

/** Platform scope first, then by id. */
export const ruleOrder = (a: Rule, b: Rule): number =>
  compareCodeUnits(a.scope, b.scope) || compareCodeUnits(a.id, b.id)

export const overrideOrder = (a: Override, b: Override): number =>
  a.createdAt.epochMillis - b.createdAt.epochMillis || compareCodeUnits(a.id, b.id)

export const heldAddOnOrder = (a: HeldAddOn, b: HeldAddOn): number => compareCodeUnits(a.addOnKey, b.addOnKey)
