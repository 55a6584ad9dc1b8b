import type { CommandContext } from "../guardrail/CommandContext.js"

/** What rule evaluation reads of an invocation; a `CommandContext` is one, so the hot path passes it as is. */
export type RuleInvocation = Pick<
  CommandContext,
  "guildId" | "userId" | "channelId" | "parentChannelId" | "categoryId" | "memberRoles" | "commandPath"
>
