import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { ChannelId, GuildId, RoleId, UserId } from "../../../core/index.js"
import { Access } from "../Access.js"
import { Authentication } from "../Auth.js"
import { assetsAlias, underGuild } from "../GuildPaths.js"
import { GuildNotFound, PayloadTooLarge, TenantNotFound } from "../shared/Errors.js"
import { RuleView } from "../shared/Views.js"

/** Discord permission bits: JSON has no 64-bit integers, so a decimal string. */
export const PermissionBits = Schema.compose(
  Schema.String.pipe(
    Schema.pattern(/^[0-9]{1,20}$/, {
      message: () => "Expected Discord permission bits as a decimal string, e.g. \"8\""
    })
  ),
  Schema.BigInt
).annotations({ identifier: "PermissionBits", description: "Discord permission bits as a decimal string" })

const Stage = Schema.Literal("platform", "entitlement", "toggle", "rules", "level", "quota")

/** The command invocation to explain; the tenant and guild come from the path. */
export const ExplainCommand = Schema.Struct({
  userId: UserId,
  memberRoles: Schema.Array(
    Schema.Struct({ id: RoleId, position: Schema.Int }).annotations({ identifier: "MemberRole" })
  ).annotations({ description: "The member's roles with their positions (higher is higher in the role list)" }),
  memberPermissions: PermissionBits.annotations({ description: "The member's resolved permissions in the channel" }),
  channelId: ChannelId.annotations({ description: "The channel the command runs in; for a thread, the thread" }),
  parentChannelId: Schema.optionalWith(Schema.NullOr(ChannelId), { default: () => null }).annotations({
    description: "For a thread: its parent channel"
  }),
  categoryId: Schema.optionalWith(Schema.NullOr(ChannelId), { default: () => null }),
  appPermissions: PermissionBits.annotations({ description: "The bot's resolved permissions in the channel" }),
  commandPath: Schema.NonEmptyArray(Schema.String).annotations({
    description: "The command and subcommand path, e.g. [\"xp\", \"reset\"]"
  })
}).annotations({ identifier: "ExplainCommand" })

export const DecisionView = Schema.Union(
  Schema.TaggedStruct("Allow", {
    ruleAllowed: Schema.Boolean.annotations({ description: "A rule allowed it, so the level requirement was skipped" })
  }).annotations({ identifier: "Allow" }),
  Schema.TaggedStruct("Deny", {
    stage: Stage,
    code: Schema.String.annotations({ description: "A stable code, e.g. NOT_IN_PLAN, FEATURE_DISABLED, RULE_DENIED" }),
    message: Schema.String,
    remediation: Schema.String,
    context: Schema.Record({
      key: Schema.String,
      value: Schema.Union(Schema.String, Schema.Number, Schema.Boolean, Schema.Null)
    })
  }).annotations({ identifier: "Deny" })
).annotations({ identifier: "Decision" })

export const ExplanationView = Schema.Struct({
  decision: DecisionView,
  stages: Schema.Array(
    Schema.Struct({
      stage: Stage,
      verdict: Schema.Literal("pass", "deny", "skip"),
      detail: Schema.String
    }).annotations({ identifier: "StageVerdict" })
  ).annotations({ description: "Every stage in order, platform to quota" }),
  stoppedAt: Schema.NullOr(Stage).annotations({ description: "The stage whose denial decided; null when allowed" }),
  rule: Schema.NullOr(RuleView).annotations({ description: "The rule that decided the rules stage, if any" })
}).annotations({ identifier: "Explanation" })

const guardrailGroup = <const Name extends string>(name: Name) =>
  HttpApiGroup.make(name)
    .add(
      HttpApiEndpoint.post("explain", "/guardrail/explain")
        .annotate(Access, Access.read)
        .setPath(Schema.Struct({ guildId: GuildId }))
        .setPayload(ExplainCommand)
        .addSuccess(ExplanationView)
        .addError(GuildNotFound)
        .addError(TenantNotFound)
        .addError(PayloadTooLarge)
        .annotate(OpenApi.Summary, "Explain the guardrail's decision for a command")
        .annotate(
          OpenApi.Description,
          "Why a command would be allowed or denied in this guild: every stage's verdict and the final decision, " +
            "from the same policy the bot uses. Consumes no quota."
        )
    )
    .middleware(Authentication)

export class GuardrailApi extends underGuild(guardrailGroup("guardrail"))
  .annotate(OpenApi.Description, "The guardrail every command passes through, explained")
{}

export class AssetsGuardrailApi extends assetsAlias(guardrailGroup("assetsGuardrail")) {}
