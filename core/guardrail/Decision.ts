import { Data } from "effect"

/** Why a command was refused; stable codes for clients and support. */
export type DenyCode =
  | "UNKNOWN_COMMAND"
  /** The path names a command or group that Discord runs only through one of its subcommands. */
  | "SUBCOMMAND_REQUIRED"
  /** No tenant has this guild installed (the policy store has nothing for it). */
  | "GUILD_NOT_INSTALLED"
  | "KILL_SWITCH"
  | "TENANT_SUSPENDED"
  | "TENANT_RETIRED"
  | "BOT_MISSING_PERMISSIONS"
  | "NOT_IN_PLAN"
  | "READ_ONLY"
  | "FEATURE_DISABLED"
  | "RULE_DENIED"
  | "LEVEL_TOO_LOW"
  | "QUOTA_EXHAUSTED"
  | "COOLDOWN"

export type Stage = "platform" | "entitlement" | "toggle" | "rules" | "level" | "quota"

export type Decision = Data.TaggedEnum<{
  Allow: {
    /** Set when a rule allowed the command, so the level requirement was skipped. */
    readonly ruleAllowed: boolean
  }
  Deny: {
    readonly stage: Stage
    readonly code: DenyCode
    /** What happened, for the member: "This command needs the Premium plan". */
    readonly message: string
    /** What to do about it: "An admin can run /upgrade". */
    readonly remediation: string
    /** Structured detail for logs and support (the rule that matched, the missing permissions, ...). */
    readonly context: Readonly<Record<string, string | number | boolean | null>>
  }
}>
export const Decision = Data.taggedEnum<Decision>()

export type Deny = Extract<Decision, { readonly _tag: "Deny" }>

/** One stage's verdict in `Guardrail.explain`. */
export interface StageVerdict {
  readonly stage: Stage
  readonly verdict: "pass" | "deny" | "skip"
  readonly detail: string
}
