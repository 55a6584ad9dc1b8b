import { Effect, Predicate, Schema, type SchemaAST } from "effect"
import { strictParseOptions } from "../errors.js"
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
 * `config`'s fields over `base`'s, key by key (both encoded, as stored), so
 * a field the config does not give keeps the base's value. Nested objects
 * are replaced whole, not merged; null or undefined stands for "nothing given".
 */
const overlay = (base: unknown, config: unknown) =>
  config === null || config === undefined
    ? base
    : Predicate.isRecord(config) && Predicate.isRecord(base)
    ? { ...base, ...config }
    : config

const encodedDefaults = <C>(feature: FeatureDefinition<C>) =>
  Effect.mapError(
    Schema.encode(feature.config.schema)(feature.config.defaults),
    (error) => invalid(feature, `its defaults do not encode: ${formatIssues(error)}`)
  )

const decode = <C>(feature: FeatureDefinition<C>, config: unknown, options?: SchemaAST.ParseOptions) =>
  Effect.mapError(
    Schema.decodeUnknown(feature.config.schema, options)(config),
    (error) => invalid(feature, formatIssues(error))
  )

/**
 * Checks a config given for the current version (e.g. when enabling the
 * feature) and merges it into `current`, the config in force (the defaults
 * when there is none): a field it does not give keeps its current value.
 * Read strictly: a field the feature's config does not have (`chanelId`) is
 * refused, not dropped.
 */
export const validateFeatureConfig = <C>(
  feature: FeatureDefinition<C>,
  incoming: unknown,
  current: C = feature.config.defaults
): Effect.Effect<C, InvalidFeatureConfig> =>
  Effect.gen(function*() {
    const base = yield* Effect.mapError(
      Schema.encode(feature.config.schema)(current),
      (error) => invalid(feature, `the config in force does not encode: ${formatIssues(error)}`)
    )
    return yield* decode(feature, overlay(base, incoming), strictParseOptions)
  })

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
    // A stored config saved before a field existed picks up the field's default.
    return yield* decode(feature, overlay(yield* encodedDefaults(feature), config))
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
