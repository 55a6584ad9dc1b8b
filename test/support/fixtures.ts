import { DateTime, Effect, Option } from "effect"
import {
  ApiKeyId,
  ApiKeyRecord,
  decideInstall,
  type GuildConfigLayer,
  GuildId,
  GuildRepo,
  type Plan,
  PlanCatalog,
  PlanKey,
  SubscriptionState,
  Tenant,
  TenantId,
  type TenantPlanSubject,
  type TenantStatus,
  UserId
} from "../../core/index.js"

/** Ids unique within a process, so tests sharing one store never see each other's rows. */
const run = Math.floor(Math.random() * 0xffffff)
let counter = 0
const next = () => ++counter
const hex = (value: number, width: number) => value.toString(16).padStart(width, "0")

export const newTenantId = () => TenantId.make(`${hex(next(), 8)}-0000-4000-8000-${hex(run, 12)}`)
export const newKeyId = () => ApiKeyId.make(`${hex(next(), 8)}-1111-4000-8000-${hex(run, 12)}`)
export const newGuildId = () => GuildId.make(`1${String(run).padStart(8, "0")}${String(next()).padStart(9, "0")}`)
export const ownerId = UserId.make("300000000000000001")

export const at = (millis: number) => DateTime.unsafeMake(millis)

export const makeTenant = (options: {
  readonly id?: TenantId
  readonly planKey?: string
  readonly status?: TenantStatus
  readonly createdAt?: DateTime.Utc
  readonly guildDefaults?: GuildConfigLayer
  readonly name?: string
} = {}) =>
  Tenant.make({
    id: options.id ?? newTenantId(),
    name: options.name ?? "Acme",
    mode: "hosted",
    status: options.status ?? "active",
    planKey: PlanKey.make(options.planKey ?? "free"),
    guildDefaults: options.guildDefaults ?? {},
    createdAt: options.createdAt ?? at(0)
  })

export const makeKey = (options: {
  readonly tenantId: TenantId | null
  readonly prefix?: string
  readonly createdAt?: DateTime.Utc
}) =>
  ApiKeyRecord.make({
    id: newKeyId(),
    tenantId: options.tenantId,
    name: "key",
    prefix: options.prefix ?? `gh_live_${hex(next(), 8)}`,
    secretHash: "0".repeat(64),
    createdAt: options.createdAt ?? at(0),
    revokedAt: null
  })

const catalog = PlanCatalog.make()

/** The plan of the tenant's key, as the Tenancy service looks it up. */
const planOf = (planKey: string): Effect.Effect<Plan> => Effect.orDie(catalog.get(planKey))

/** Installs through the port with the core's own rules, as the Tenancy service does. */
export const install = (request: {
  readonly tenantId: TenantId
  readonly guildId: GuildId
  readonly name?: string
  readonly config?: GuildConfigLayer
  readonly now?: DateTime.Utc
}) =>
  Effect.flatMap(
    GuildRepo,
    (guilds) =>
      guilds.install(request.tenantId, request.guildId, (state) =>
        Effect.flatMap(planOf(state.tenant.planKey), (plan) =>
          decideInstall(
            state,
            {
              tenantId: request.tenantId,
              guildId: request.guildId,
              name: request.name ?? "Guild",
              ownerId,
              config: request.config
            },
            plan,
            request.now ?? at(0)
          )))
  )

/**
 * A ledger test's `decide`: the subscription active at the revision after
 * `current`'s (1 when there is none), with one test job under `idempotencyKey`.
 */
export const nextActivePlanDecision = (
  subject: TenantPlanSubject,
  current: Option.Option<SubscriptionState>,
  correlationId: string,
  idempotencyKey: (revision: number) => string
) => {
  const revision = Option.match(current, { onNone: () => 1, onSome: (state) => state.revision + 1 })
  const job = {
    tenantId: subject.tenantId,
    kind: "billing.Test",
    payload: null,
    runAt: at(0),
    idempotencyKey: idempotencyKey(revision)
  }
  return {
    transition: { state: activePlanState(subject, revision, correlationId), effects: [] },
    jobs: [job]
  }
}

/** An active plan subscription at `revision` (its version and update time follow the revision). */
export const activePlanState = (subject: TenantPlanSubject, revision: number, correlationId: string) =>
  SubscriptionState.make({
    subject,
    status: "active",
    provider: "stripe",
    correlationId,
    customerId: null,
    planKey: subject.planKey,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: false,
    version: revision,
    revision,
    roleGranted: false,
    readOnly: false,
    graceEndsAt: null,
    readOnlyEndsAt: null,
    updatedAt: at(revision)
  })
