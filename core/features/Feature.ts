import type { Effect, Schema } from "effect"
import type { ChannelId, GuildId, TenantId, UserId } from "../ids.js"

/** Who may run a command when no rule decides: member < mod < admin < owner. */
export type MemberLevel = "member" | "mod" | "admin" | "owner"

/** What a tenant's state leaves of a feature: essential (always: setup, billing), read (kept when read-only), write. */
export type FeatureAccess = "essential" | "read" | "write"

export type CommandOptionType = "string" | "integer" | "number" | "boolean" | "user" | "channel" | "role"

export interface CommandOption {
  readonly name: string
  readonly description: string
  readonly type: CommandOptionType
  readonly required?: boolean
  readonly choices?: ReadonlyArray<{ readonly name: string; readonly value: string | number }>
}

/** What a command (or a subcommand, which inherits what it does not set) requires of the caller. */
export interface CommandRequirements {
  readonly level?: MemberLevel
  /** Discord permission bits that satisfy the level requirement on their own (e.g. ManageGuild). */
  readonly memberPermissions?: bigint
  /** Discord permission bits the bot needs in the channel to carry the command out. */
  readonly botPermissions?: bigint
  /** Per-user cooldown in seconds. */
  readonly cooldownSeconds?: number
}

export interface SubcommandDefinition extends CommandRequirements {
  readonly name: string
  readonly description: string
  readonly options?: ReadonlyArray<CommandOption>
  /** A subcommand group holds subcommands (Discord allows one level of groups). */
  readonly subcommands?: ReadonlyArray<SubcommandDefinition>
}

export interface CommandDefinition extends CommandRequirements {
  readonly name: string
  readonly description: string
  readonly level: MemberLevel
  readonly options?: ReadonlyArray<CommandOption>
  readonly subcommands?: ReadonlyArray<SubcommandDefinition>
  /** Lockout guard: the guild owner can always run it (setup, rule editing), whatever the rules say. */
  readonly ownerAlwaysAllowed?: boolean
}

/**
 * Declares a command, keeping the literal names of its subcommands so that
 * `handleCommand` (core/bot/BotCommands.ts) can demand one handler per
 * leaf: a handler missing, misspelt or left over after a rename does not compile.
 */
export const defineCommand = <const D extends CommandDefinition>(command: D): D => command

/** A config migration: turns version `from`'s shape into version `from + 1`'s. */
export interface ConfigMigration {
  readonly from: number
  readonly migrate: (config: unknown) => unknown
}

export interface FeatureConfig<C> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any encoded form: the config is stored as JSON
  readonly schema: Schema.Schema<C, any>
  readonly defaults: C
  /** The current version; stored configs of older versions run through `migrations` in order. */
  readonly version: number
  readonly migrations: ReadonlyArray<ConfigMigration>
}

export interface FeatureHookContext<C> {
  readonly tenantId: TenantId
  readonly guildId: GuildId
  readonly config: C
}

/** Gateway events a feature may handle; the Discord runtime delivers them (a later issue). */
export type GatewayEvent =
  | { readonly _tag: "MemberJoined"; readonly guildId: GuildId; readonly userId: UserId; readonly guildName: string }
  | { readonly _tag: "MemberLeft"; readonly guildId: GuildId; readonly userId: UserId }
  | {
    readonly _tag: "MessageCreated"
    readonly guildId: GuildId
    readonly channelId: ChannelId
    readonly userId: UserId
  }

export type GatewayEventTag = GatewayEvent["_tag"]

export type GatewayHandlers<C> = {
  readonly [K in GatewayEventTag]?: (
    event: Extract<GatewayEvent, { readonly _tag: K }>,
    context: FeatureHookContext<C>
  ) => Effect.Effect<void, unknown>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds features of differing config types
export interface FeatureDefinition<C = any> {
  /** Stable identifier, e.g. "welcome"; rules target it as `feature:welcome`. */
  readonly key: string
  readonly name: string
  readonly description: string
  /** The plan feature flag that must be on; null: every plan has it. */
  readonly requires: string | null
  readonly access: FeatureAccess
  readonly commands: ReadonlyArray<CommandDefinition>
  readonly config: FeatureConfig<C>
  readonly onEnable?: (context: FeatureHookContext<C>) => Effect.Effect<void, unknown>
  readonly onDisable?: (context: FeatureHookContext<C>) => Effect.Effect<void, unknown>
  readonly events?: GatewayHandlers<C>
}

/** Keeps a feature's config type while checking its shape. */
export const defineFeature = <C>(feature: FeatureDefinition<C>): FeatureDefinition<C> => feature
