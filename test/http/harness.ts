import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import { NodeCrypto } from "../../adapters/crypto/index.js"
import { Api, HttpServerLive } from "../../adapters/http/index.js"
import { ReadinessMemory, RepositoriesMemory } from "../../adapters/memory/index.js"
import { ApiKeys, GuildId, PlanCatalog, type PlanKey, type Readiness, Tenancy, UserId } from "../../core/index.js"

const core = (readiness: Layer.Layer<Readiness>) =>
  Layer.mergeAll(Tenancy.layer, ApiKeys.layer).pipe(
    Layer.provideMerge(Layer.mergeAll(RepositoriesMemory, NodeCrypto, PlanCatalog.builtin, readiness))
  )

/**
 * The real handlers and middleware on a test Node server (random port), over
 * memory repositories. Also exposes the core services and an HttpClient
 * pointed at the server.
 */
export const makeTestServer = (readiness: Layer.Layer<Readiness> = ReadinessMemory) =>
  HttpServerLive().pipe(Layer.provideMerge(core(readiness)), Layer.provideMerge(NodeHttpServer.layerTest))

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
