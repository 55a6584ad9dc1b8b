import { DateTime, Either, Layer, Schema } from "effect"
import {
  builtinPlans,
  ChannelId,
  type CommandContext,
  defineFeature,
  FeatureRegistry,
  Guild,
  type GuildFeatureState,
  GuildId,
  Override,
  OverrideId,
  Permission,
  Plan,
  PlanCatalog,
  PlanKey,
  type PolicySource,
  RoleId,
  Rule,
  type RuleEffect,
  RuleId,
  type RuleScope,
  type RuleSubject,
  Tenant,
  TenantId,
  type TenantStatus,
  UserId
} from "../../core/index.js"

const noConfig = { schema: Schema.Struct({}), defaults: {}, version: 1, migrations: [] }

/** Test features covering every requirement the guardrail reads; kept here so builtin changes do not move these tests. */
export const testFeatures = [
  defineFeature({
    key: "setup",
    name: "Setup",
    description: "Set the bot up",
    requires: null,
    access: "essential",
    config: noConfig,
    commands: [
      {
        name: "setup",
        description: "Set the bot up",
        level: "admin",
        memberPermissions: Permission.ManageGuild,
        ownerAlwaysAllowed: true
      }
    ]
  }),
  defineFeature({
    key: "xp",
    name: "XP",
    description: "Points",
    requires: "xp",
    access: "write",
    config: noConfig,
    commands: [
      {
        name: "xp",
        description: "Points",
        level: "member",
        subcommands: [
          { name: "rank", description: "Rank", cooldownSeconds: 30 },
          { name: "reset", description: "Reset", level: "admin", memberPermissions: Permission.ManageGuild }
        ]
      }
    ]
  }),
  defineFeature({
    key: "analytics",
    name: "Analytics",
    description: "Stats",
    requires: "analytics",
    access: "read",
    config: noConfig,
    commands: [{ name: "stats", description: "Stats", level: "member" }]
  }),
  defineFeature({
    key: "roles",
    name: "Paid roles",
    description: "Sell roles",
    requires: "paid-roles",
    access: "write",
    config: noConfig,
    commands: [{
      name: "sell",
      description: "Sell a role",
      level: "mod",
      botPermissions: Permission.ManageRoles | Permission.SendMessages
    }]
  }),
  defineFeature({
    key: "tags",
    name: "Tags",
    description: "Tags",
    requires: "welcome",
    access: "write",
    config: noConfig,
    commands: [
      {
        name: "tags",
        description: "Tags",
        level: "member",
        subcommands: [
          { name: "show", description: "Show a tag" },
          {
            name: "admin",
            description: "Manage tags",
            subcommands: [
              { name: "add", description: "Add a tag", level: "mod" },
              { name: "remove", description: "Remove a tag", level: "owner" }
            ]
          }
        ]
      }
    ]
  })
]

export const registry = Either.getOrThrow(FeatureRegistry.make(testFeatures))

/**
 * The built-in plans, with the test features' analytics flag on Premium and
 * Enterprise: the built-ins do not sell analytics yet, and these tests need a
 * plan that does (for the same reason the features are kept here).
 */
export const catalog = PlanCatalog.make({
  plans: builtinPlans
    .filter((plan) => plan.key === "premium" || plan.key === "enterprise")
    .map((plan) => Plan.make({ ...plan, features: [...plan.features, "analytics"] }))
})
export const catalogLayer = Layer.succeed(PlanCatalog, catalog)

export const tenantId = TenantId.make("00000000-0000-4000-8000-000000000001")
export const guildId = GuildId.make("100000000000000001")
export const otherGuildId = GuildId.make("100000000000000002")
export const ownerId = UserId.make("200000000000000001")
export const memberId = UserId.make("200000000000000002")
export const otherMemberId = UserId.make("200000000000000003")
export const channel = (n: number) => ChannelId.make(`40000000000000000${n}`)
export const category = (n: number) => ChannelId.make(`50000000000000000${n}`)
export const role = (n: number) => RoleId.make(`60000000000000000${n}`)
export const modRole = role(8)
export const adminRole = role(9)

let ruleCounter = 0
export const rule = (
  target: string,
  subject: RuleSubject,
  subjectId: string,
  effect: RuleEffect,
  scope: RuleScope = "tenant"
) =>
  Rule.make({
    id: RuleId.make(`00000000-0000-4000-8000-${String(++ruleCounter).padStart(12, "0")}`),
    scope,
    tenantId,
    guildId,
    target,
    subject,
    subjectId,
    effect
  })

export const at = (millis: number) => DateTime.unsafeMake(millis)

export const override = (options: {
  readonly planKey?: string
  readonly features?: ReadonlyArray<string>
  readonly expiresAt?: DateTime.Utc | null
}) =>
  Override.make({
    id: OverrideId.make("00000000-0000-4000-8000-0000000000aa"),
    tenantId,
    guildId: null,
    planKey: options.planKey ? PlanKey.make(options.planKey) : null,
    features: options.features ?? [],
    limits: {},
    reason: "test",
    expiresAt: options.expiresAt ?? null,
    createdAt: at(0)
  })

export interface SourceOptions {
  readonly planKey?: string
  readonly status?: TenantStatus
  readonly enabled?: ReadonlyArray<string>
  readonly rules?: ReadonlyArray<Rule>
  readonly killSwitches?: ReadonlyArray<string>
  readonly overrides?: ReadonlyArray<Override>
  readonly guildId?: GuildId
  readonly version?: number
}

export const allFeatures = ["xp", "analytics", "roles", "tags"]

/** A premium, active tenant's guild with every feature enabled, mod role 8 and admin role 9, unless told otherwise. */
export const source = (options: SourceOptions = {}): PolicySource => {
  const id = options.guildId ?? guildId
  return {
    tenant: Tenant.make({
      id: tenantId,
      name: "Acme",
      mode: "hosted",
      status: options.status ?? "active",
      planKey: PlanKey.make(options.planKey ?? "premium"),
      guildDefaults: { modRoleIds: [modRole] },
      createdAt: at(0)
    }),
    guild: Guild.make({
      tenantId,
      guildId: id,
      name: "Guild",
      ownerId,
      status: "installed",
      config: { adminRoleIds: [adminRole] },
      installedAt: at(0),
      removedAt: null
    }),
    held: [],
    overrides: options.overrides ?? [],
    features: (options.enabled ?? allFeatures).map((featureKey): GuildFeatureState => ({
      featureKey,
      enabled: true,
      config: {},
      configVersion: 1
    })),
    rules: options.rules ?? [],
    killSwitches: options.killSwitches ?? [],
    version: options.version ?? 1
  }
}

const allBits = (1n << 51n) - 1n & ~Permission.Administrator

let interaction = 0
/** A plain member running /xp rank in channel 1 of category 1, with the bot holding every permission but Administrator. */
export const context = (overrides: Partial<CommandContext> = {}): CommandContext => ({
  tenantId,
  guildId,
  userId: memberId,
  memberRoles: [],
  memberPermissions: 0n,
  channelId: channel(1),
  parentChannelId: null,
  categoryId: category(1),
  appPermissions: allBits,
  commandPath: ["xp", "rank"],
  interactionId: `9000000000000${String(++interaction).padStart(5, "0")}`,
  ...overrides
})
