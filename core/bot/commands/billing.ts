import { DateTime, Effect, Option } from "effect"
import { Billing } from "../../billing/Billing.js"
import { hasAccess } from "../../billing/Subscription.js"
import { statusCommand, upgradeCommand } from "../../features/builtin/billing.js"
import { PolicyCache } from "../../guardrail/PolicyCache.js"
import { PaidRoles } from "../../payments/PaidRoles.js"
import { GuildEntitlements } from "../../plans/GuildEntitlements.js"
import { isUnlimited, type Plan } from "../../plans/Plan.js"
import { PlanCatalog } from "../../plans/PlanCatalog.js"
import { BillingLedger } from "../../ports/BillingLedger.js"
import { AiTokensMeter, CommandsMeter, type Meter, meterLimit } from "../../quotas/Meter.js"
import { Quotas } from "../../quotas/Quotas.js"
import { BotCommands, CommandRefused, handleCommand } from "../BotCommands.js"
import { BotLinks } from "../BotLinks.js"
import { type CommandInvocation, stringOption } from "../CommandInvocation.js"
import { Reply } from "../Reply.js"
import { refusing, roleMention } from "./replies.js"

const meterNames: ReadonlyArray<readonly [Meter, string]> = [[CommandsMeter, "Commands"], [AiTokensMeter, "AI tokens"]]

const number = (value: number) => value.toLocaleString("en-US")

const date = (at: DateTime.Utc) => DateTime.formatIso(at).slice(0, 10)

const make = Effect.gen(function*() {
  const billing = yield* Billing
  const catalog = yield* PlanCatalog
  const entitlements = yield* GuildEntitlements
  const cache = yield* PolicyCache
  const quotas = yield* Quotas
  const ledger = yield* BillingLedger
  const paidRoles = yield* PaidRoles
  const links = yield* BotLinks

  /** The plan asked for, or the first plan after the tenant's (cheapest first) that Stripe sells. */
  const targetPlan = (invocation: CommandInvocation, currentKey: string): Effect.Effect<Plan, CommandRefused> => {
    const asked = stringOption(invocation, "plan")?.toLowerCase()
    if (asked !== undefined) return refusing(catalog.get(asked))
    const current = catalog.all.findIndex((plan) => plan.key === currentKey)
    const next = catalog.all.slice(current + 1).find((plan) => plan.stripePriceId !== null)
    return next === undefined
      ? Effect.fail(CommandRefused.of(
        "There is no plan above this server's to buy here",
        "Ask the operator about a custom plan"
      ))
      : Effect.succeed(next)
  }

  const upgrade = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { tenantId } = invocation.context
      const { planKey } = yield* refusing(billing.tenantBilling(tenantId))
      const plan = yield* targetPlan(invocation, planKey)
      if (plan.key === planKey) return Reply.private(`This server is already on the ${plan.name} plan.`)
      const outcome = yield* refusing(billing.planCheckout(tenantId, plan.key, {
        successUrl: links.checkoutSuccessUrl,
        cancelUrl: links.checkoutCancelUrl
      }))
      return outcome._tag === "Checkout"
        ? Reply.private(`Upgrade to the ${plan.name} plan: ${outcome.link.url}\nThis link is for you only.`)
        : Reply.private(`Your subscription moved to the ${plan.name} plan (prorated on the next invoice).`)
    })

  /**
   * The plan and its state, today's usage against the limits, and the
   * member's own paid roles as the billing ledger has them (not the roles
   * Discord shows, which may lag a grant or revoke).
   */
  const status = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, tenantId, userId } = invocation.context
      const today = date(yield* DateTime.now)
      // Independent reads, side by side: the answer waits for the slowest, not for their sum.
      const { account, granted, held, sold, usage } = yield* Effect.all({
        account: refusing(billing.tenantBilling(tenantId)),
        // The guardrail has just read the guild's snapshot: its entitlements serve without a query.
        granted: Effect.flatMap(cache.get(guildId), (snapshot) =>
          Option.match(snapshot, {
            onSome: ({ entitlements: granted }) => Effect.succeed(granted),
            onNone: () => refusing(entitlements.resolve(tenantId, guildId))
          })),
        usage: quotas.dailyUsage(tenantId, guildId, today, today),
        sold: refusing(paidRoles.list(tenantId, guildId)),
        held: ledger.listSubscriptions(tenantId, { guildId, userId, limit: 100 })
      }, { concurrency: "unbounded" })
      const planName = catalog.plansByKey.get(account.planKey)?.name ?? account.planKey
      const subscription = Option.match(account.subscription, {
        onNone: () => "",
        onSome: (state) =>
          `, subscription ${state.status}` +
          (state.currentPeriodEnd === null ? "" : ` until ${date(state.currentPeriodEnd)}`)
      })

      const usedOf = (meter: Meter) =>
        usage.filter((day) => day.meter === meter.key).reduce((total, day) => total + day.used, 0)
      const usageLines = meterNames.map(([meter, name]) => {
        const limit = meterLimit(meter, granted.limits)
        const shown = isUnlimited(limit) ? "no limit" : `limit ${number(limit)} a ${meter.window}`
        return `${name} today: ${number(usedOf(meter))} (${shown})`
      })
      const maxPaidRoles = granted.limits.maxPaidRoles
      usageLines.push(
        `Paid roles for sale: ${sold.length}${isUnlimited(maxPaidRoles) ? "" : ` of ${maxPaidRoles}`}`
      )

      const mine = held.flatMap((state) =>
        state.subject._tag === "MemberRole" && hasAccess(state)
          ? [{ roleId: state.subject.roleId, state }]
          : []
      ).map(({ roleId, state }) => {
        const name = sold.find((role) => role.roleId === roleId)?.name
        const until = state.currentPeriodEnd === null ? "" : ` until ${date(state.currentPeriodEnd)}`
        return `${name === undefined ? roleMention(roleId) : `@${name}`}: ${state.status}${until}`
      })

      return Reply.private([
        `**${invocation.guildName}**: ${planName} plan (${account.tenantStatus.replace("_", "-")}${subscription})`,
        ...usageLines,
        mine.length === 0 ? "Your paid roles: none" : `Your paid roles:\n${mine.map((line) => `- ${line}`).join("\n")}`
      ].join("\n"))
    })

  return BotCommands.merge(
    handleCommand(upgradeCommand, { ephemeral: true, run: upgrade }),
    handleCommand(statusCommand, { ephemeral: true, run: status })
  )
})

/** /upgrade (a Stripe checkout for the tenant's plan) and /status (plan, today's usage, the member's paid roles). */
export const billingCommands = make
