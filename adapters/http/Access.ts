/**
 * Who may call an endpoint, declared on the endpoint (or its group) as data.
 * The annotation is read in three places: the Policy functions check the
 * level when a handler reaches a tenant or guild, the OpenAPI document states
 * it on every operation, and the authorization table test calls every
 * endpoint as every kind of caller. An endpoint that declares nothing asks
 * `read` of a GET and `write` of anything else; a group without the
 * Authentication middleware is public.
 */
import { Context } from "effect"
import type { Level } from "../../core/index.js"

export type Requirement =
  | { readonly _tag: "Public" }
  | { readonly _tag: "SignedIn" }
  | { readonly _tag: "Operator" }
  | { readonly _tag: "Level"; readonly level: Level }

export class Access extends Context.Tag("adapters/http/Access")<Access, Requirement>() {
  /** No credential: pages, provider webhooks, health, signed links. */
  static readonly public: Requirement = { _tag: "Public" }
  /** Anyone signed in or holding a key, acting on their own things (GET /me, my sessions). */
  static readonly signedIn: Requirement = { _tag: "SignedIn" }
  /** An operator: an operator key, or a person named operator. */
  static readonly operator: Requirement = { _tag: "Operator" }
  static readonly read: Requirement = { _tag: "Level", level: "read" }
  static readonly write: Requirement = { _tag: "Level", level: "write" }
  /** The tenant's owner (or an operator): staff and ownership. */
  static readonly owner: Requirement = { _tag: "Level", level: "owner" }
}

/** What an endpoint without a declaration asks: reading for GET, writing for anything else. */
export const defaultRequirement = (method: string): Requirement => method === "GET" ? Access.read : Access.write

/** The requirement in words, for the OpenAPI document. */
export const describeRequirement = (requirement: Requirement): string => {
  switch (requirement._tag) {
    case "Public":
      return "Anyone: no credential."
    case "SignedIn":
      return "Anyone signed in (session) or holding an API key, for their own account."
    case "Operator":
      return "Operators only (an operator key or a person named operator)."
    case "Level":
      switch (requirement.level) {
        case "read":
          return "Operators; the tenant's staff (owner, admin, viewer) and its read-only or read-write keys; " +
            "on a guild's routes also that guild's admins by Discord's rule. Anyone else: 404."
        case "write":
          return "Operators; the tenant's owner and admins and its read-write keys; on a guild's routes also " +
            "that guild's admins by Discord's rule. A viewer or read-only key: 403. Anyone else: 404."
        case "owner":
          return "Operators and the tenant's owners. Admins, viewers and keys: 403. Anyone else: 404."
      }
  }
}
