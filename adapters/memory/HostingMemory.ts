import { DateTime, Effect, Layer, Option } from "effect"
import {
  type AuditEvent,
  AuditLog,
  type Export,
  ExportRepo,
  FlowAlreadyRunning,
  type OffboardingFlow,
  OffboardingRepo,
  TenantData,
  TenantDataUnavailable
} from "../../core/index.js"

/** Exports in a map, archives beside them. */
export const ExportRepoMemory = Layer.sync(ExportRepo, () => {
  const exports = new Map<string, { exported: Export; archive: Uint8Array | null }>()
  return ExportRepo.of({
    insert: (exported) => Effect.sync(() => void exports.set(exported.id, { exported, archive: null })),
    find: (tenantId, id) =>
      Effect.sync(() =>
        Option.fromNullable(exports.get(id)).pipe(
          Option.map((entry) => entry.exported),
          Option.filter((exported) => exported.tenantId === tenantId)
        )
      ),
    findAnyTenant: (id) => Effect.sync(() => Option.fromNullable(exports.get(id)?.exported)),
    list: (tenantId, options) =>
      Effect.sync(() =>
        [...exports.values()].map((entry) => entry.exported).filter((exported) => exported.tenantId === tenantId)
          .sort((a, b) => b.createdAt.epochMillis - a.createdAt.epochMillis).slice(0, options.limit)
      ),
    finish: (exported, archive) =>
      Effect.sync(() => {
        if (exports.get(exported.id)?.exported.status === "pending") exports.set(exported.id, { exported, archive })
      }),
    archive: (tenantId, id) =>
      Effect.sync(() => {
        const entry = exports.get(id)
        return entry?.exported.tenantId === tenantId && entry.exported.status === "ready"
          ? Option.fromNullable(entry.archive)
          : Option.none()
      }),
    purgeExpired: (now) =>
      Effect.sync(() => {
        let purged = 0
        for (const [id, entry] of exports) {
          if (entry.exported.expiresAt !== null && DateTime.lessThan(entry.exported.expiresAt, now)) {
            exports.delete(id)
            purged++
          }
        }
        return purged
      })
  })
})

export const OffboardingRepoMemory = Layer.sync(OffboardingRepo, () => {
  const flows = new Map<string, OffboardingFlow>()
  return OffboardingRepo.of({
    insert: (flow) =>
      Effect.suspend(() => {
        const running = [...flows.values()].some((f) => f.tenantId === flow.tenantId && f.status === "running")
        if (running) {
          return Effect.fail(
            new FlowAlreadyRunning({
              message: "The tenant already has an offboarding flow running; cancel it before starting another"
            })
          )
        }
        flows.set(flow.id, flow)
        return Effect.void
      }),
    find: (tenantId, id) =>
      Effect.sync(() => Option.fromNullable(flows.get(id)).pipe(Option.filter((flow) => flow.tenantId === tenantId))),
    findAnyTenant: (id) => Effect.sync(() => Option.fromNullable(flows.get(id))),
    list: (tenantId) =>
      Effect.sync(() =>
        [...flows.values()].filter((flow) => flow.tenantId === tenantId)
          .sort((a, b) => b.createdAt.epochMillis - a.createdAt.epochMillis)
      ),
    update: (flow) => Effect.sync(() => void (flows.has(flow.id) && flows.set(flow.id, flow)))
  })
})

export const AuditLogMemory = Layer.sync(AuditLog, () => {
  const events: Array<AuditEvent> = []
  const newestFirst = (a: AuditEvent, b: AuditEvent) => b.at.epochMillis - a.at.epochMillis
  return AuditLog.of({
    record: (event) => Effect.sync(() => void events.push(event)),
    list: (tenantId, options) =>
      Effect.sync(() =>
        events.filter((event) => event.tenantId === tenantId).sort(newestFirst).slice(0, options.limit)
      ),
    findBySubject: (subject) =>
      Effect.sync(() =>
        Option.fromNullable(
          events.filter((event) => event.tenantId === null && event.subject === subject).sort(newestFirst)[0]
        )
      )
  })
})

const unavailable = Effect.fail(
  new TenantDataUnavailable({
    message: "Exports, imports and purges need a SQL database (PGlite or PostgreSQL); the memory store has no " +
      "tables to dump. Run with DATABASE_URL, or the embedded default."
  })
)

/** The memory store spreads a tenant over each repository's own maps: there are no tables to move. */
export const TenantDataMemory = Layer.succeed(
  TenantData,
  TenantData.of({
    archivedTables: [],
    dump: () => unavailable,
    restore: () => unavailable,
    purge: () => unavailable,
    count: () => unavailable
  })
)
