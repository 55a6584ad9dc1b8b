import { Effect, Predicate, Schema } from "effect"
import { formatIssues } from "../formatIssues.js"
import type { FeatureDefinition } from "./Feature.js"

/** A feature's config does not fit its schema (or a migration on the way threw); the message is the schema's. */
export class InvalidFeatureConfig extends Schema.TaggedError<InvalidFeatureConfig>()("InvalidFeatureConfig", {
  featureKey: Schema.String,
  message: Schema.String
}) {}

/** A stored config cannot be brought to the current version: a migration is missing, or it is from a newer build. */
export class ConfigMigrationMissing extends Schema.TaggedError<ConfigMigrationMissing>()("ConfigMigrationMissing", {
  featureKey: Schema.String,
  storedVersion: Schema.Number,
  currentVersion: Schema.Number,
  message: Schema.String
}) {}

const invalid = (feature: FeatureDefinition, message: string) =>
  new InvalidFeatureConfig({ featureKey: feature.key, message: `Invalid config for '${feature.key}': ${message}` })

/**
 * The stored (encoded) shape over the encoded defaults, key by key, so a
 * config saved before a field existed picks up the field's default. Nested
 * objects are replaced whole, not merged.
 */
const withDefaults = <C>(feature: FeatureDefinition<C>, config: unknown) =>
  Effect.map(
    Effect.mapError(Schema.encode(feature.config.schema)(feature.config.defaults), (error) =>
      invalid(feature, `its defaults do not encode: ${formatIssues(error)}`)),
    (defaults) =>
      config === null || config === undefined
        ? defaults
        : Predicate.isRecord(config) && Predicate.isRecord(defaults)
        ? { ...defaults, ...config }
        : config
  )

const decode = <C>(feature: FeatureDefinition<C>, config: unknown) =>
  Effect.mapError(
    Schema.decodeUnknown(feature.config.schema)(config),
    (error) => invalid(feature, formatIssues(error))
  )

/** Checks a config for the current version (e.g. one given when enabling the feature), filling in defaults. */
export const validateFeatureConfig = <C>(
  feature: FeatureDefinition<C>,
  incoming: unknown
): Effect.Effect<C, InvalidFeatureConfig> =>
  Effect.flatMap(withDefaults(feature, incoming), (config) => decode(feature, config))

const migrateStep = (feature: FeatureDefinition, config: unknown, from: number) =>
  Effect.gen(function*() {
    const migration = feature.config.migrations.find((candidate) => candidate.from === from)
    if (migration === undefined) {
      return yield* new ConfigMigrationMissing({
        featureKey: feature.key,
        storedVersion: from,
        currentVersion: feature.config.version,
        message: `No config migration for '${feature.key}' from version ${from} to ${from + 1}`
      })
    }
    return yield* Effect.try({
      try: () => migration.migrate(config),
      catch: (cause) => invalid(feature, `migration from version ${from} failed: ${String(cause)}`)
    })
  })

/**
 * A stored config as the current version of the feature sees it: migrated
 * from `storedVersion` one version at a time, defaults filled in, decoded
 * with the schema. Null or undefined stands for "never configured": the defaults.
 */
export const readFeatureConfig = <C>(
  feature: FeatureDefinition<C>,
  stored: unknown,
  storedVersion: number
): Effect.Effect<C, InvalidFeatureConfig | ConfigMigrationMissing> =>
  Effect.gen(function*() {
    const { version } = feature.config
    if (storedVersion > version) {
      return yield* new ConfigMigrationMissing({
        featureKey: feature.key,
        storedVersion,
        currentVersion: version,
        message:
          `The config of '${feature.key}' was stored by a newer version (${storedVersion}) than this build knows (${version})`
      })
    }
    let config = stored
    // A never-configured feature needs no migration: its defaults are already current.
    if (stored !== null && stored !== undefined) {
      for (let from = storedVersion; from < version; from++) config = yield* migrateStep(feature, config, from)
    }
    return yield* validateFeatureConfig(feature, config)
  })

/** The config as stored (JSON-ready, schema-encoded) at the feature's current version. */
export const encodeFeatureConfig = <C>(
  feature: FeatureDefinition<C>,
  config: C
): Effect.Effect<unknown, InvalidFeatureConfig> =>
  Effect.mapError(
    Schema.encode(feature.config.schema)(config),
    (error) => invalid(feature, formatIssues(error))
  )
