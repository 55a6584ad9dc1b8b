import { DateTime, Effect } from "effect"
import { setupCommand } from "../../features/builtin/setup.js"
import { GuildFeatures } from "../../features/GuildFeatures.js"
import { type PaidRole, RoleProvider } from "../../payments/PaidRole.js"
import { PaidRoles } from "../../payments/PaidRoles.js"
import { roleProblemHint } from "../../ports/DiscordGuilds.js"
import { CommandRefused, handleCommand } from "../BotCommands.js"
import { booleanOption, type CommandInvocation, numberOption, stringOption } from "../CommandInvocation.js"
import { Reply } from "../Reply.js"
import { type SetupProgress, type SetupStep, stepNumber, stepTitle } from "../SetupProgress.js"
import { SetupWizardService } from "../SetupWizardService.js"
import { formatMoney, refusing, roleIdOption, roleMention, wordList } from "./replies.js"

const header = (step: Exclude<SetupStep, "done">) => `**Setup ${stepNumber(step)}/3 — ${stepTitle[step]}**`

const howTo: Record<SetupStep, string> = {
  features: "Choose the features to turn on: `/setup features enable: welcome, xp` (or `enable: none`).",
  roles: "Sell a role: `/setup roles role:@VIP price:500 currency:USD days:30` (price in cents), one per call; " +
    "`/setup roles done:true` when there are no more.",
  providers: "Choose how members pay: `/setup providers offer: stripe, polar, sepay`.",
  done: "All three steps are done: `/setup finish` checks the bot can manage the roles and completes the setup."
}

const nextStep = (progress: SetupProgress): string =>
  progress.step === "done" ? `Next: ${howTo.done}` : `Next: ${header(progress.step)}\n${howTo[progress.step]}`

const isProvider = (word: string): word is RoleProvider =>
  (RoleProvider.literals as ReadonlyArray<string>).includes(word)

const make = Effect.gen(function*() {
  const wizard = yield* SetupWizardService
  const features = yield* GuildFeatures
  const paidRoles = yield* PaidRoles

  const summary = (progress: SetupProgress, sold: ReadonlyArray<PaidRole>) => {
    const name = (roleId: string) => sold.find((role) => role.roleId === roleId)?.name
    const roles = progress.roles.map((role) => name(role.roleId) ? `@${name(role.roleId)}` : roleMention(role.roleId))
    return [
      `Features: ${progress.chosenFeatures.join(", ") || "none yet"}`,
      `Paid roles: ${roles.join(", ") || "none yet"}`,
      `Providers: ${progress.offeredProviders.join(", ") || "none yet"}`
    ].join("\n")
  }

  const start = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, tenantId } = invocation.context
      const progress = yield* wizard.progress(tenantId, guildId)
      const sold = yield* refusing(paidRoles.list(tenantId, guildId))
      if (progress.completedAt !== null) {
        return Reply.private(
          `**Setup is complete** (finished ${DateTime.formatIso(progress.completedAt).slice(0, 10)}).\n` +
            `${summary(progress, sold)}\nRun any step again to change it.`
        )
      }
      return Reply.private(`Setting up ${invocation.guildName}.\n${summary(progress, sold)}\n${nextStep(progress)}`)
    })

  const chooseFeatures = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, tenantId } = invocation.context
      const requested = stringOption(invocation, "enable")
      if (requested === undefined) {
        const listed = yield* refusing(features.list(tenantId, guildId))
        const optional = listed.filter((feature) => feature.access !== "essential")
        const inPlan = optional.filter((feature) => feature.inPlan).map((feature) => `\`${feature.key}\``)
        const outside = optional.filter((feature) => !feature.inPlan).map((feature) => `\`${feature.key}\``)
        return Reply.private([
          header("features"),
          `In your plan: ${inPlan.join(", ") || "none"}`,
          ...(outside.length > 0 ? [`Not in your plan (an admin can /upgrade): ${outside.join(", ")}`] : []),
          howTo.features
        ].join("\n"))
      }
      const keys = wordList(requested).filter((key) => key !== "none")
      const chosen = yield* refusing(wizard.chooseFeatures(tenantId, guildId, keys))
      return Reply.private([
        header("features"),
        `Turned on: ${chosen.enabled.map((key) => `\`${key}\``).join(", ") || "nothing"}`,
        ...chosen.refused.map((refused) =>
          `Not turned on: \`${refused.key}\`: ${refused.message}${
            refused.remediation ? ` (${refused.remediation})` : ""
          }`
        ),
        nextStep(chosen.progress)
      ].join("\n"))
    })

  const roles = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, tenantId } = invocation.context
      const roleId = yield* roleIdOption(invocation, "role")
      const lines: Array<string> = [header("roles")]
      if (roleId !== undefined) {
        const price = numberOption(invocation, "price")
        const currency = stringOption(invocation, "currency")
        if (price === undefined || currency === undefined) {
          return yield* CommandRefused.of(
            "A paid role needs its price and currency",
            "e.g. `/setup roles role:@VIP price:500 currency:USD` (price in the currency's minor unit: cents)"
          )
        }
        const days = numberOption(invocation, "days") ?? null
        const added = yield* refusing(
          wizard.addRole(tenantId, guildId, { roleId, price, currency, days })
        )
        lines.push(
          `Selling @${added.role.name} for ${formatMoney(added.role.price)}${
            days === null ? "" : `, ${days} days a purchase`
          }.`
        )
        if (added.manageability !== null && added.manageability.problem !== null) {
          lines.push(`Before finishing: ${roleProblemHint(added.manageability)}`)
        }
      }
      if (booleanOption(invocation, "done") === true) {
        const progress = yield* refusing(wizard.rolesDone(tenantId, guildId))
        const sold = yield* refusing(paidRoles.list(tenantId, guildId))
        lines.push(summary(progress, sold), nextStep(progress))
        return Reply.private(lines.join("\n"))
      }
      const progress = yield* wizard.progress(tenantId, guildId)
      const sold = yield* refusing(paidRoles.list(tenantId, guildId))
      lines.push(summary(progress, sold), howTo.roles)
      return Reply.private(lines.join("\n"))
    })

  const providers = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, tenantId } = invocation.context
      const offer = stringOption(invocation, "offer")
      if (offer === undefined) return Reply.private(`${header("providers")}\n${howTo.providers}`)
      const words = wordList(offer)
      const unknown = words.filter((word) => !isProvider(word))
      if (unknown.length > 0 || words.length === 0) {
        return yield* CommandRefused.of(
          unknown.length > 0 ? `Unknown payment provider: ${unknown.join(", ")}` : "Name at least one provider",
          `Choose among ${RoleProvider.literals.join(", ")}`
        )
      }
      const offered = yield* refusing(wizard.offerProviders(tenantId, guildId, words.filter(isProvider)))
      return Reply.private([
        header("providers"),
        ...offered.statuses.map((status) =>
          status.missing === null ? `${status.provider}: ready` : `${status.provider}: ${status.missing}`
        ),
        "Provider secrets and ids are set through the HTTP API with an API key, never through Discord.",
        nextStep(offered.progress)
      ].join("\n"))
    })

  const finish = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const { guildId, tenantId } = invocation.context
      const outcome = yield* refusing(wizard.finish(tenantId, guildId))
      if (outcome._tag === "RoleProblems") {
        return yield* CommandRefused.of(
          `Setup is not finished: the bot cannot manage ${outcome.problems.length} of the chosen roles.\n` +
            outcome.problems.map((problem) => `- ${roleProblemHint(problem)}`).join("\n"),
          "Fix these in Server Settings > Roles, then run /setup finish again"
        )
      }
      const sold = yield* refusing(paidRoles.list(tenantId, guildId))
      return Reply.private(`**Setup is complete.**\n${summary(outcome.progress, sold)}`)
    })

  return handleCommand(setupCommand, {
    start: { ephemeral: true, run: start },
    features: { ephemeral: true, run: chooseFeatures },
    roles: { ephemeral: true, run: roles },
    providers: { ephemeral: true, run: providers },
    finish: { ephemeral: true, run: finish }
  })
})

/** The /setup wizard's handlers. */
export const setupCommands = make
