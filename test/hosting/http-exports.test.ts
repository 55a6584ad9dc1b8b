import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { ApiKeys, PlanKey, Tenancy } from "../../core/index.js"
import { botRuntime, botToken, publicUrl } from "../support/botRuntime.js"
import { FakeDiscord } from "../support/fakes/FakeDiscord.js"
import { sqlDatabases } from "../support/stores.js"

/**
 * Exports and imports through the runner's HTTP API on a real database: the
 * background job builds the archive, the signed link downloads it without an
 * API key, and POST /imports restores it (and refuses it once changed).
 */

const databases = await sqlDatabases()

interface ExportViewJson {
  readonly export: { readonly id: string; readonly status: string; readonly sizeBytes: number }
  readonly download: { readonly url: string } | null
}

const call = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(HttpClient.execute(request), (response) =>
    Effect.map(response.arrayBuffer, (body) => ({
      status: response.status,
      headers: response.headers,
      bytes: new Uint8Array(body),
      json: <A = Record<string, unknown>>(): A => JSON.parse(new TextDecoder().decode(body)) as A
    })))

for (const database of databases) {
  describe(`exports over HTTP (${database.name})`, { timeout: 60_000 }, () => {
    it.live("POST /exports → ready → the signed link downloads the archive → POST /imports restores it", () =>
      Effect.gen(function*() {
        const discord = yield* FakeDiscord.make({ token: botToken })
        yield* Effect.gen(function*() {
          const tenant = yield* (yield* Tenancy).createTenant({ name: "Mover", planKey: PlanKey.make("premium") })
          const keys = yield* ApiKeys
          const tenantKey = Redacted.value((yield* keys.issue({ _tag: "Tenant", tenantId: tenant.id }, "t")).key)
          const operatorKey = Redacted.value((yield* keys.issue({ _tag: "Operator" }, "o")).key)

          const requested = yield* call(
            HttpClientRequest.post("/exports").pipe(
              HttpClientRequest.bearerToken(tenantKey),
              HttpClientRequest.bodyUnsafeJson({})
            )
          )
          assert.strictEqual(requested.status, 202)
          const id = requested.json<ExportViewJson>().export.id

          // The runner's job worker builds it.
          let view: ExportViewJson | undefined
          for (let i = 0; i < 100; i++) {
            view = (yield* call(HttpClientRequest.get(`/exports/${id}`).pipe(HttpClientRequest.bearerToken(tenantKey))))
              .json<ExportViewJson>()
            if (view.export.status !== "pending") break
            yield* Effect.sleep("100 millis")
          }
          assert.strictEqual(view?.export.status, "ready")
          const url = view!.download!.url
          assert.isTrue(url.startsWith(`${publicUrl}/exports/${id}/archive?`))

          // No API key: the link is the credential.
          const link = url.slice(publicUrl.length)
          const downloaded = yield* call(HttpClientRequest.get(link))
          assert.strictEqual(downloaded.status, 200)
          assert.strictEqual(downloaded.headers["content-type"], "application/gzip")
          assert.include(downloaded.headers["content-disposition"], `guildhall-${tenant.id}-${id}.tar.gz`)
          assert.strictEqual(downloaded.bytes.length, view!.export.sizeBytes)
          // Change the signature's first character (to one it is not, or the link would be unchanged 1 time in 64).
          const tamperedLink = link.replace(/signature=(.)/, (_, first) => `signature=${first === "A" ? "B" : "A"}`)
          assert.notStrictEqual(tamperedLink, link)
          const tampered = yield* call(HttpClientRequest.get(tamperedLink))
          assert.strictEqual(tampered.status, 403)

          const importArchive = (bytes: Uint8Array, key: string) =>
            call(
              HttpClientRequest.post("/imports").pipe(
                HttpClientRequest.bearerToken(key),
                HttpClientRequest.bodyUint8Array(bytes, "application/gzip")
              )
            )
          const restored = yield* importArchive(downloaded.bytes, operatorKey)
          assert.strictEqual(restored.status, 200)
          assert.strictEqual(restored.json().tenantId, tenant.id)
          assert.strictEqual(restored.json().replaced, null)
          const own = yield* importArchive(downloaded.bytes, tenantKey)
          assert.strictEqual(own.status, 200)

          const damaged = downloaded.bytes.slice()
          damaged[damaged.length - 10] = damaged[damaged.length - 10]! ^ 0xff
          const refused = yield* importArchive(damaged, operatorKey)
          assert.strictEqual(refused.status, 422)
          assert.strictEqual(refused.json()._tag, "ArchiveRejected")
        }).pipe(Effect.provide(botRuntime(database.layer(), { discord, platformBot: false })))
      }).pipe(Effect.scoped))
  })
}
