import { Effect, Option } from "effect"
import {
  ApplicationId,
  ChannelId,
  GuildFeatures,
  GuildId,
  type IncomingCommand,
  Interactions,
  type OptionValue,
  Permission,
  PlanKey,
  Tenancy,
  UserId
} from "../../core/index.js"
import { TestRuntime } from "../../programs/TestRuntime.js"

/**
 * The built-in features' handlers in the test runtime (memory repositories,
 * memory Discord, TestClock): gateway events through FeatureEvents.dispatch
 * and commands through Interactions.run (the guardrail, then the handler), as
 * the Discord adapter drives them.
 */
export const FeaturesTestLayer = TestRuntime

export const ownerId = UserId.make("900000000000000001")
export const channelId = ChannelId.make("800000000000000001")

let guilds = 0
/** A new guild installed under a new tenant on `planKey`, with `features` enabled with their configs. */
export const guildWith = (planKey: string, features: Readonly<Record<string, unknown>> = {}) =>
  Effect.gen(function*() {
    const tenancy = yield* Tenancy
    const tenant = yield* tenancy.createTenant({ name: "Acme", planKey: PlanKey.make(planKey) })
    const guildId = GuildId.make(`7${String(++guilds).padStart(17, "0")}`)
    yield* tenancy.installGuild({ tenantId: tenant.id, guildId, name: "Acme Guild", ownerId })
    for (const [key, config] of Object.entries(features)) {
      yield* (yield* GuildFeatures).enable(tenant.id, guildId, key, Option.some(config))
    }
    return { tenantId: tenant.id, guildId }
  }).pipe(Effect.orDie)

let interactions = 0
/** A slash command from `userId` in the guild; `memberPermissions` decides what the guardrail lets through. */
export const slash = (
  guildId: GuildId,
  commandPath: ReadonlyArray<string>,
  options: Readonly<Record<string, OptionValue>> = {},
  member: { readonly userId?: UserId; readonly memberPermissions?: bigint; readonly interactionId?: string } = {}
) =>
  Effect.flatMap(Interactions, (interactionsService) => {
    const command: IncomingCommand = {
      context: {
        guildId,
        userId: member.userId ?? UserId.make("900000000000000099"),
        memberRoles: [],
        memberPermissions: member.memberPermissions ?? 0n,
        channelId,
        parentChannelId: null,
        categoryId: null,
        appPermissions: Permission.SendMessages | Permission.ManageRoles | Permission.ViewChannel,
        commandPath,
        interactionId: member.interactionId ?? `1${String(++interactions).padStart(18, "0")}`
      },
      options,
      guildName: "Acme Guild",
      applicationId: ApplicationId.make("900000000000000001")
    }
    return interactionsService.run(command)
  })
