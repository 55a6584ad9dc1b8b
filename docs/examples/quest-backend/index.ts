// An embedding backend's /quest, run end to end on the memory layers: the
// core built with the backend's plan, feature and command (makeTestRuntime
// takes the same parts as makeCore), then /quest sent through the guardrail.
import { Effect, Option } from "effect"
import {
  ApplicationId,
  ChannelId,
  GuildFeatures,
  GuildId,
  type IncomingCommand,
  Interactions,
  PlanCatalog,
  PlanKey,
  Tenancy,
  UserId
} from "guildhall/core"
import { makeTestRuntime } from "guildhall/programs"
import { questCommands, questFeature, questingPlan } from "./quest.js"

/** The core with the backend's parts added to the built-ins, over memory and the TestClock. */
export const QuestRuntime = makeTestRuntime({
  plans: PlanCatalog.layer({ plans: [questingPlan] }),
  features: [questFeature],
  commands: [questCommands]
})

const ownerId = UserId.make("600000000000000001")
const memberId = UserId.make("600000000000000002")

/** A tenant on `planKey` with one guild, the quest feature enabled there. */
const guildOn = (planKey: string, guildId: GuildId) =>
  Effect.gen(function*() {
    const tenancy = yield* Tenancy
    const tenant = yield* tenancy.createTenant({ name: `A ${planKey} tenant`, planKey: PlanKey.make(planKey) })
    yield* tenancy.installGuild({ tenantId: tenant.id, guildId, name: "Quest Hall", ownerId })
    if (planKey === questingPlan.key) {
      yield* (yield* GuildFeatures).enable(tenant.id, guildId, questFeature.key, Option.none())
    }
    return tenant.id
  })

let interactions = 0

/** `/quest` as a member sends it in `guildId`: the guardrail decides, then the handler answers. */
const quest = (tenantGuild: GuildId) =>
  Effect.flatMap(Interactions, (bot) => {
    const incoming: IncomingCommand = {
      context: {
        guildId: tenantGuild,
        userId: memberId,
        memberRoles: [],
        memberPermissions: 0n,
        channelId: ChannelId.make("700000000000000001"),
        parentChannelId: null,
        categoryId: null,
        appPermissions: 0n,
        commandPath: ["quest"],
        interactionId: `8${String(++interactions).padStart(18, "0")}`
      },
      options: {},
      guildName: "Quest Hall",
      applicationId: ApplicationId.make("900000000000000009")
    }
    return Effect.map(bot.run(incoming), (reply) => reply.content)
  })

/**
 * Four quests in a guild on the Questing plan (three a day: the fourth is
 * refused by the quota) and one in a guild on Free (the guardrail refuses:
 * the plan does not have the feature). Answers the replies in order.
 */
export const runQuests = Effect.gen(function*() {
  const questing = GuildId.make("610000000000000001")
  const free = GuildId.make("610000000000000002")
  yield* guildOn("questing", questing)
  yield* guildOn("free", free)
  const onQuesting = yield* Effect.forEach([1, 2, 3, 4], () => quest(questing))
  const onFree = yield* quest(free)
  return { onQuesting, onFree }
}).pipe(Effect.provide(QuestRuntime))
