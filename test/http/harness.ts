import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Option, Redacted } from "effect"
import {
  Api,
  DiscordApplicationId,
  HttpServerLive,
  type HttpServerOptions,
  PublicUrl
} from "../../adapters/http/index.js"
import {
  DiscordCommandsMemory,
  DiscordGuildsMemory,
  DiscordMessagesMemory,
  DiscordRolesMemory,
  QuotaStoreMemory,
  ReadinessMemory,
  RepositoriesMemory
} from "../../adapters/memory/index.js"
import { PolarGatewayOf, PolarWebhookLive } from "../../adapters/polar/index.js"
import type { RepositoriesSql } from "../../adapters/postgres/index.js"
import { SepayWebhookLive } from "../../adapters/sepay/index.js"
import { StripeGatewayOf, type StripeSettings, StripeWebhookOf } from "../../adapters/stripe/index.js"
import {
  ApiKeys,
  BillingLedger,
  type BillingLedgerService,
  BotLinks,
  GuildId,
  GuildInstalls,
  InviteSigningKey,
  JobWorker,
  PlanCatalog,
  type PlanKey,
  type PolicyStore,
  type Readiness,
  syncFeatureCatalog,
  UserId
} from "../../core/index.js"
import { makeCore } from "../../programs/Core.js"
import { botLinksOf } from "../../programs/Settings.js"

/** The catalog as a boot syncs it from the registry. */
const CatalogSynced = Layer.effectDiscard(syncFeatureCatalog)

export const testDiscordApplicationId = "123456789012345678"

/** Every repository port and the PolicyStore: what RepositoriesMemory provides, or RepositoriesSql with PolicyStoreSql. */
export type StoredServices = Exclude<Layer.Layer.Success<typeof RepositoriesSql>, Readiness> | PolicyStore

/** Where the test server's payment providers are: not configured unless a test points them at its fakes. */
export interface TestProviders {
  readonly stripe: StripeSettings
  readonly polarApiBase: string | undefined
  readonly plans: Layer.Layer<PlanCatalog>
  /** Wraps the ledger every service writes through (to simulate the database failing mid-webhook, say). */
  readonly ledger: (ledger: BillingLedgerService) => BillingLedgerService
  /** DISCORD_APPLICATION_ID as the server sees it. */
  readonly discordApplicationId: Option.Option<string>
  /** Where the server stores everything: memory unless a test runs the API on a SQL database. */
  readonly repositories: Layer.Layer<StoredServices>
}

const noProviders: TestProviders = {
  stripe: { secretKey: Option.none(), webhookSecret: Option.none(), apiBase: Option.none() },
  polarApiBase: undefined,
  plans: PlanCatalog.builtin,
  ledger: (ledger) => ledger,
  discordApplicationId: Option.some(testDiscordApplicationId),
  repositories: RepositoriesMemory
}

/** The repositories, with the ledger as the test wraps it. */
const repositories = (providers: TestProviders) =>
  Layer.effect(BillingLedger, Effect.map(BillingLedger, providers.ledger)).pipe(
    Layer.provideMerge(providers.repositories)
  )

export const testPublicUrl = "https://guildhall.test"

/** Guild installs from invites (a generated signing key, as a runner without GUILDHALL_INVITE_SECRET has). */
const guildInstalls = (providers: TestProviders) =>
  Layer.merge(
    GuildInstalls.layer("hosted").pipe(Layer.provideMerge(InviteSigningKey.layer(Option.none()))),
    Layer.succeed(DiscordApplicationId, providers.discordApplicationId)
  )

/**
 * The core (makeCore, with the test's plan catalog) over the test's stores and
 * outside systems, with what the runner adds for the HTTP API: guild installs,
 * the webhook verifiers and the public URL.
 */
const core = (readiness: Layer.Layer<Readiness>, providers: TestProviders) =>
  Layer.mergeAll(
    guildInstalls(providers),
    CatalogSynced,
    StripeWebhookOf(providers.stripe),
    PolarWebhookLive,
    SepayWebhookLive
  ).pipe(
    Layer.provideMerge(makeCore({ plans: providers.plans })),
    Layer.provideMerge(
      Layer.mergeAll(
        repositories(providers),
        QuotaStoreMemory,
        readiness,
        DiscordRolesMemory,
        DiscordCommandsMemory,
        DiscordMessagesMemory,
        DiscordGuildsMemory,
        StripeGatewayOf(providers.stripe),
        PolarGatewayOf({ apiBase: providers.polarApiBase }),
        Layer.succeed(BotLinks, botLinksOf(testPublicUrl)),
        Layer.succeed(PublicUrl, testPublicUrl)
      )
    )
  )

/**
 * The real handlers and middleware on a test Node server (random port), over
 * memory repositories and an in-memory Discord. Also exposes the core
 * services, the job handlers the runner's worker has (run them with
 * `runJobs`), and an HttpClient pointed at the server.
 */
export const makeTestServer = (
  readiness: Layer.Layer<Readiness> = ReadinessMemory,
  providers: Partial<TestProviders> = {},
  options: HttpServerOptions = {}
) =>
  HttpServerLive(options).pipe(
    Layer.provideMerge(core(readiness, { ...noProviders, ...providers })),
    Layer.provideMerge(NodeHttpServer.layerTest)
  )

/**
 * Runs the worker until no job is due (what the runner's worker would do
 * next); answers how many jobs were handled. Retried jobs wait for their
 * backoff, so this always ends.
 */
export const runJobs = Effect.gen(function*() {
  let handled = 0
  for (;;) {
    const claimed = yield* JobWorker.runOnce({ workerId: "test-worker" })
    if (claimed === 0) return handled
    handled += claimed
  }
})

export const TestServer = makeTestServer()

/** A typed client; with `key`, every request carries `Authorization: Bearer <key>`. */
export const apiClient = (key?: string) =>
  HttpApiClient.make(Api, {
    transformClient: (client) =>
      key === undefined ? client : HttpClient.mapRequest(client, HttpClientRequest.bearerToken(key))
  })

export const issueOperatorKey = Effect.flatMap(ApiKeys, (keys) => keys.issue({ _tag: "Operator" }, "test")).pipe(
  Effect.map(({ key }) => Redacted.value(key))
)

/** A new tenant (created through the API by the operator) with a key of its own. */
export const createTenantWithKey = (operatorKey: string, name: string, planKey?: PlanKey) =>
  Effect.gen(function*() {
    const operator = yield* apiClient(operatorKey)
    const tenant = yield* operator.tenants.create({ payload: planKey === undefined ? { name } : { name, planKey } })
    const issued = yield* operator.apiKeys.issue({ path: { id: tenant.id }, payload: { name: `${name} key` } })
    return { tenant, key: issued.key, keyId: issued.id, client: yield* apiClient(issued.key) }
  })

export const guildId = (n: number) => GuildId.make(`1000000000000${String(n).padStart(5, "0")}`)
export const ownerId = UserId.make("200000000000000001")

/** A raw request with a bearer key (and a JSON body when given): the status and the body's text. */
export const raw = (method: "GET" | "PUT" | "POST" | "DELETE", path: string, key: string, body?: unknown) =>
  HttpClient.execute(
    HttpClientRequest.make(method)(path).pipe(
      HttpClientRequest.bearerToken(key),
      body === undefined ? (request) => request : HttpClientRequest.bodyUnsafeJson(body)
    )
  ).pipe(Effect.flatMap((response) => Effect.map(response.text, (text) => ({ status: response.status, text }))))

/** A raw request's JSON body with its status. */
export const rawJson = (method: "GET" | "PUT" | "POST" | "DELETE", path: string, key: string, body?: unknown) =>
  Effect.map(raw(method, path, key, body), ({ status, text }) => ({ status, body: JSON.parse(text) }))

/** A tenant on `planKey` with a key and one installed guild. */
export const tenantWithGuild = (name: string, planKey: PlanKey, guild = guildId(1)) =>
  Effect.gen(function*() {
    const operatorKey = yield* issueOperatorKey
    const tenant = yield* createTenantWithKey(operatorKey, name, planKey)
    yield* tenant.client.assets.install({ path: { guildId: guild }, payload: { name: `${name} HQ`, ownerId } })
    return { ...tenant, operatorKey, operator: yield* apiClient(operatorKey), guildId: guild }
  })

/** A POST of exactly `body` (as UTF-8 bytes) with exactly `headers`, as a provider's webhook arrives. */
export const postRaw = (path: string, body: string, headers: Record<string, string>) =>
  HttpClient.execute(
    HttpClientRequest.post(path).pipe(
      HttpClientRequest.setHeaders(headers),
      HttpClientRequest.bodyText(body, "application/json")
    )
  ).pipe(Effect.flatMap((response) => Effect.map(response.text, (text) => ({ status: response.status, text }))))
