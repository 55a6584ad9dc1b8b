import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { ApplicationId, TenantBotView, TenantId } from "../../../core/index.js"
import { Authentication } from "../Auth.js"
import {
  BotInUseByAnotherTenant,
  InvalidInput,
  PayloadTooLarge,
  TenantBotNotFound,
  TenantNotFound,
  TenantNotWritable,
  WhiteLabelNotInPlan
} from "../shared/Errors.js"

export const TenantBotResponse = TenantBotView.annotations({ identifier: "TenantBot" })

export const SetTenantBot = Schema.Struct({
  applicationId: ApplicationId.annotations({
    description: "The Application ID on the General Information page of the tenant's Discord application"
  }),
  // Checked by the core, whose messages never repeat it (a schema's would).
  token: Schema.Redacted(Schema.String).annotations({
    description: "The bot's token from the application's Bot page, without the 'Bot ' prefix. Stored for the " +
      "runner to log in with; never returned (views show its last four characters)."
  })
}).annotations({ identifier: "SetTenantBot" })

const TenantPath = Schema.Struct({ id: TenantId })

export class WhiteLabelApi extends HttpApiGroup.make("whiteLabel")
  .add(
    HttpApiEndpoint.put("setBot", "/tenants/:id/bot")
      .setPath(TenantPath)
      .setPayload(SetTenantBot)
      .addSuccess(TenantBotResponse)
      .addError(TenantNotFound)
      .addError(WhiteLabelNotInPlan)
      .addError(TenantNotWritable)
      .addError(InvalidInput)
      .addError(BotInUseByAnotherTenant)
      .addError(PayloadTooLarge)
      .annotate(OpenApi.Summary, "Bring the tenant's own Discord bot (white-label)")
      .annotate(
        OpenApi.Description,
        "Replaces the tenant's bot. The plan must include white-label bots (403 with the plan to upgrade to). " +
          "The hosted runner starts a client for it on its next poll, beside the platform's bot."
      )
  )
  .add(
    HttpApiEndpoint.get("getBot", "/tenants/:id/bot")
      .setPath(TenantPath)
      .addSuccess(TenantBotResponse)
      .addError(TenantNotFound)
      .addError(TenantBotNotFound)
      .annotate(OpenApi.Summary, "The tenant's own bot: its application and the token's last four characters")
  )
  .add(
    HttpApiEndpoint.del("removeBot", "/tenants/:id/bot")
      .setPath(TenantPath)
      .addSuccess(Schema.Void, { status: 204 })
      .addError(TenantNotFound)
      .addError(TenantBotNotFound)
      .annotate(OpenApi.Summary, "Forget the tenant's own bot (its client stops at the runner's next poll)")
  )
  .middleware(Authentication)
  .annotate(OpenApi.Description, "White-label: a tenant's own Discord bot, run beside the platform's")
{}
