import { Effect, Schema } from "effect"
import { validate } from "../../errors.js"
import { permissionsCommand } from "../../features/builtin/setup.js"
import { FeatureRegistry } from "../../features/FeatureRegistry.js"
import { GuildRules, RuleInput } from "../../rbac/GuildRules.js"
import type { Rule, RuleEffect, RuleSubject } from "../../rbac/Rule.js"
import { RuleTarget } from "../../rbac/Rule.js"
import { CommandRefused, handleCommand } from "../BotCommands.js"
import { type CommandInvocation, stringOption } from "../CommandInvocation.js"
import { Reply } from "../Reply.js"
import { refusalOf, refusing } from "./replies.js"

const mention = (subject: RuleSubject, id: string): string => {
  switch (subject) {
    case "user":
      return `<@${id}>`
    case "role":
      return `<@&${id}>`
    case "channel":
    case "category":
      return `<#${id}>`
    case "guild":
      return "everyone"
  }
}

const describeRule = (rule: Rule): string =>
  `${rule.effect} ${mention(rule.subject, rule.subjectId)} on \`${rule.target}\`` +
  (rule.scope === "platform" ? " (set by the operator)" : "")

const sameRuleFor = (input: RuleInput) => (rule: Rule): boolean =>
  rule.target === input.target && rule.subject === input.subject && rule.subjectId === input.subjectId

/** What a tenant's rule becomes when written back through GuildRules.replace. */
const inputOf = (rule: Rule): RuleInput => ({
  target: rule.target,
  subject: rule.subject,
  subjectId: rule.subjectId,
  effect: rule.effect
})

const make = Effect.gen(function*() {
  const rules = yield* GuildRules
  const registry = yield* FeatureRegistry

  const commandNodes = new Set(
    registry.commands.flatMap((command) => command.path.map((_, i) => command.path.slice(0, i + 1).join(" ")))
  )

  /**
   * What the admin typed as a rule target: "xp reset" or "/xp reset" is the
   * command path, a feature's key that is no command is the feature, and
   * "*", "feature:…" and "command:…" are taken as written. GuildRules says
   * when it names nothing.
   */
  const parseTarget = (text: string): Effect.Effect<RuleTarget, CommandRefused> => {
    const written = text.trim().replace(/^\//, "").replace(/\s+/g, " ").toLowerCase()
    const target = written === "*" || written.startsWith("feature:") || written.startsWith("command:")
      ? written
      : !commandNodes.has(written) && registry.feature(written) !== undefined
      ? `feature:${written}`
      : `command:${written}`
    return Effect.mapError(
      Schema.decodeUnknown(RuleTarget)(target),
      () => CommandRefused.of(`'${text}' is not a command or feature`, "e.g. `xp reset`, `xp` or `feature:welcome`")
    )
  }

  const targetOption = (invocation: CommandInvocation) => {
    const text = stringOption(invocation, "target")
    return text === undefined
      ? Effect.fail(CommandRefused.of("Name a command or feature", "e.g. `xp reset`, `xp` or `feature:welcome`"))
      : parseTarget(text)
  }

  const tenantRules = (invocation: CommandInvocation) =>
    Effect.map(
      refusing(rules.list(invocation.context.tenantId, invocation.context.guildId)),
      (all) => all.filter((rule) => rule.scope === "tenant")
    )

  const writeTenantRules = (invocation: CommandInvocation, inputs: ReadonlyArray<RuleInput>) =>
    refusing(rules.replace(invocation.context.tenantId, invocation.context.guildId, "tenant", inputs))

  const view = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const text = stringOption(invocation, "target")
      const target = text === undefined ? undefined : yield* parseTarget(text)
      const all = yield* refusing(rules.list(invocation.context.tenantId, invocation.context.guildId))
      const shown = target === undefined ? all : all.filter((rule) => rule.target === target)
      const about = target === undefined ? "this server" : `\`${target}\``
      if (shown.length === 0) {
        return Reply.private(
          `No rules for ${about}: the command's own requirement decides (its member level or Discord permission).`
        )
      }
      return Reply.private([`**Rules for ${about}**`, ...shown.map(describeRule)].join("\n"))
    })

  /** allow/deny: one tenant rule for exactly one subject, replacing that subject's earlier rule on the target. */
  const write = (effect: RuleEffect) => (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const target = yield* targetOption(invocation)
      const subjects = (["user", "role", "channel"] as const).flatMap((subject) => {
        const id = stringOption(invocation, subject)
        return id === undefined ? [] : [{ subject, id }]
      })
      if (subjects.length !== 1) return yield* CommandRefused.of("Pick one of user, role or channel")
      const [picked] = subjects as [{ subject: RuleSubject; id: string }]
      // The @everyone role (its id is the guild's) is the guild default in the rule model, checked last.
      const { id, subject } = picked.subject === "role" && picked.id === invocation.context.guildId
        ? { subject: "guild" as const, id: picked.id }
        : picked
      const input = yield* Effect.mapError(
        validate(RuleInput)({ target, subject, subjectId: id, effect }),
        refusalOf
      )
      const kept = (yield* tenantRules(invocation)).filter((rule) => !sameRuleFor(input)(rule)).map(inputOf)
      yield* writeTenantRules(invocation, [...kept, input])
      return Reply.private(
        `${effect === "allow" ? "Allowed" : "Denied"}: ${mention(subject, id)} on \`${target}\`. ` +
          `/permissions reset target:${target.replace(/^command:/, "")} removes this server's rules for it.`
      )
    })

  const reset = (invocation: CommandInvocation) =>
    Effect.gen(function*() {
      const target = yield* targetOption(invocation)
      const current = yield* tenantRules(invocation)
      const kept = current.filter((rule) => rule.target !== target)
      if (kept.length === current.length) return Reply.private(`This server has no rules for \`${target}\`.`)
      yield* writeTenantRules(invocation, kept.map(inputOf))
      const removed = current.length - kept.length
      return Reply.private(`Removed ${removed} rule${removed === 1 ? "" : "s"} for \`${target}\`.`)
    })

  return handleCommand(permissionsCommand, {
    view: { ephemeral: true, run: view },
    allow: { ephemeral: true, run: write("allow") },
    deny: { ephemeral: true, run: write("deny") },
    reset: { ephemeral: true, run: reset }
  })
})

/** /permissions view|allow|deny|reset: this server's (tenant-scope) rules; the operator's stay as they are. */
export const permissionsCommands = make
