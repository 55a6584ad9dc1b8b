import { Context, type DateTime, Effect, Layer } from "effect"
import type { BillingEvent } from "../billing/BillingEvent.js"
import type { GuildId, RoleId, TenantId, UserId } from "../ids.js"
import type { WebhookReceipt } from "../ports/BillingLedger.js"
import type { DiscordRoleError } from "../ports/DiscordRoles.js"
import type { PaymentProviderError } from "../ports/PaymentGateways.js"
import type { GuildNotFound, TenantNotFound } from "../tenancy/errors.js"
import type { BankTransfer } from "./BankTransfer.js"
import { makeBankTransferIngestion, passPaid } from "./BankTransferIngestion.js"
import type { PaidRoleLimitReached, PaidRoleNotFound, ProviderNotOffered, SepaySellsVndOnly } from "./errors.js"
import type { PaidRole, PaidRoleInput, RoleProvider } from "./PaidRole.js"
import { makePaidRoleCatalog } from "./PaidRoleCatalog.js"
import { makePaidRoleReconciliation } from "./PaidRoleReconciliation.js"
import type { PaymentOrder } from "./PaymentOrder.js"
import { makeRoleCheckout, type RoleCheckoutOffer } from "./RoleCheckout.js"

export type { RoleCheckoutOffer } from "./RoleCheckout.js"

/** Roles a guild sells to its members, how members buy them, and keeping Discord in line with what was paid. */
export interface PaidRolesService {
  /** Sells the role in an installed guild, or changes how it is sold (within the plan's maxPaidRoles; SePay in VND). */
  readonly put: (
    tenantId: TenantId,
    guildId: GuildId,
    roleId: RoleId,
    input: PaidRoleInput
  ) => Effect.Effect<PaidRole, GuildNotFound | TenantNotFound | PaidRoleLimitReached | SepaySellsVndOnly>
  readonly find: (tenantId: TenantId, guildId: GuildId, roleId: RoleId) => Effect.Effect<PaidRole, PaidRoleNotFound>
  readonly list: (tenantId: TenantId, guildId: GuildId) => Effect.Effect<ReadonlyArray<PaidRole>>
  /** Stops selling the role; members' subscriptions are kept. */
  readonly remove: (tenantId: TenantId, guildId: GuildId, roleId: RoleId) => Effect.Effect<void, PaidRoleNotFound>
  /** How the member pays for the role: through `provider`, or the first the role is sold through. */
  readonly checkout: (
    tenantId: TenantId,
    guildId: GuildId,
    roleId: RoleId,
    userId: UserId,
    provider: RoleProvider | undefined,
    urls: { readonly successUrl: string; readonly cancelUrl: string }
  ) => Effect.Effect<
    RoleCheckoutOffer,
    GuildNotFound | PaidRoleNotFound | ProviderNotOffered | PaymentProviderError | SepaySellsVndOnly
  >
  /** A verified SePay transfer, matched to its order and recorded in the ledger (paid, held or ignored). */
  readonly ingestBankTransfer: (
    tenantId: TenantId,
    receipt: WebhookReceipt,
    transfer: BankTransfer
  ) => Effect.Effect<"recorded" | "duplicate">
  /** The payment.succeeded event for a SePay order's pass, starting `now`. */
  readonly passPaid: (order: PaymentOrder, eventId: string, receivedMinor: number, now: DateTime.Utc) => BillingEvent
  /** A member (re)joined: grants again every paid role they still have access to; answers how many. */
  readonly regrant: (tenantId: TenantId, guildId: GuildId, userId: UserId) => Effect.Effect<number>
  /** Enqueues the grants and revokes that bring the guild's members' roles in line with their subscriptions. */
  readonly reconcileGuild: (tenantId: TenantId, guildId: GuildId) => Effect.Effect<
    { readonly granted: number; readonly revoked: number },
    DiscordRoleError | GuildNotFound
  >
}

const make = Effect.gen(function*() {
  const catalog = yield* makePaidRoleCatalog
  const { checkout } = yield* makeRoleCheckout
  const { ingestBankTransfer } = yield* makeBankTransferIngestion
  const { reconcileGuild, regrant } = yield* makePaidRoleReconciliation
  return { ...catalog, checkout, ingestBankTransfer, passPaid, regrant, reconcileGuild }
})

export class PaidRoles extends Context.Tag("core/PaidRoles")<PaidRoles, PaidRolesService>() {
  static readonly layer = Layer.effect(PaidRoles, make)
}
