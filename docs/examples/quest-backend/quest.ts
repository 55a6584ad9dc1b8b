// What a backend embedding Guildhall adds of its own: a /quest feature, its
// command handler, and a plan that sells it with a daily quest limit. It
// imports only the package's public entry points, and programs/ knows nothing of it.
import { Effect, Schema } from "effect"
import {
  CommandRefused,
  defineCommand,
  defineFeature,
  GuildEntitlements,
  handleCommand,
  type Meter,
  Plan,
  PlanKey,
  Quotas,
  Reply
} from "guildhall/core"

/** The plan flag that switches the feature on. */
export const questFlag = "quest"

/** Quests a guild may start per UTC day, by plan: the backend's own limit, kept beside its plans. */
export const questsPerDay: Readonly<Record<string, number>> = { questing: 3 }

/** A plan that sells quests (and the built-in welcome), as GUILDHALL_PLANS could spell it. */
export const questingPlan = Plan.make({
  key: PlanKey.make("questing"),
  name: "Questing",
  features: ["welcome", questFlag],
  limits: { maxGuilds: 1, commandsPerMinute: 60, aiTokensPerDay: 0, maxPaidRoles: 0 }
})

export const questCommand = defineCommand({ name: "quest", description: "Start a quest", level: "member" })

/** `/quest`: any member may start one; rules can still deny it as `feature:quest`. */
export const questFeature = defineFeature<{}>({
  key: "quest",
  name: "Quests",
  description: "Members start quests, a few a day.",
  requires: questFlag,
  access: "write",
  config: { schema: Schema.Struct({}), defaults: {}, version: 1, migrations: [] },
  commands: [questCommand]
})

/** A guild's quests per UTC day; the limit is the plan's entry in questsPerDay (none when it has none). */
const questMeter = (planKey: string): Meter => ({
  key: "quests",
  window: "day",
  scope: "guild",
  limit: questsPerDay[planKey] ?? 0
})

/** The /quest handler: runs once the guardrail allowed the command, charging one quest to the guild. */
export const questCommands = Effect.gen(function*() {
  const quotas = yield* Quotas
  const entitlements = yield* GuildEntitlements
  return handleCommand(questCommand, {
    ephemeral: false,
    run: (invocation) =>
      Effect.gen(function*() {
        const { guildId, interactionId, tenantId, userId } = invocation.context
        const granted = yield* Effect.orDie(entitlements.resolve(tenantId, guildId))
        const charged = yield* quotas.consume(
          [{ meter: questMeter(granted.planKey), amount: 1 }],
          { tenantId, guildId, userId },
          granted.limits,
          // The guardrail already charged this interaction's id to the command rate: a key of our own.
          `quest:${interactionId}`
        )
        if (charged._tag === "Exhausted") {
          return yield* CommandRefused.of(
            "This server has started all its quests for today",
            "Quests come back at midnight UTC"
          )
        }
        return Reply.visible(`<@${userId}> sets out on a quest!`)
      })
  })
})
