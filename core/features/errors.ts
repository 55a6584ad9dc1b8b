import { Schema } from "effect"

export class FeatureNotFound extends Schema.TaggedError<FeatureNotFound>()("FeatureNotFound", {
  featureKey: Schema.String,
  message: Schema.String
}) {
  static of(featureKey: string, known: ReadonlyArray<string>) {
    return new FeatureNotFound({
      featureKey,
      message: `No feature '${featureKey}'. Features: ${known.join(", ")}`
    })
  }
}

export class FeatureNotInPlan extends Schema.TaggedError<FeatureNotInPlan>()("FeatureNotInPlan", {
  featureKey: Schema.String,
  planKey: Schema.String,
  message: Schema.String,
  remediation: Schema.String
}) {}

/** Essential features (setup, billing) are always on; they cannot be disabled. */
export class FeatureAlwaysOn extends Schema.TaggedError<FeatureAlwaysOn>()("FeatureAlwaysOn", {
  featureKey: Schema.String,
  message: Schema.String
}) {
  static of(featureKey: string) {
    return new FeatureAlwaysOn({
      featureKey,
      message: `'${featureKey}' is essential (setup and billing stay available) and cannot be disabled`
    })
  }
}

/** A feature's onEnable/onDisable hook failed; the toggle was not changed. */
export class FeatureHookFailed extends Schema.TaggedError<FeatureHookFailed>()("FeatureHookFailed", {
  featureKey: Schema.String,
  hook: Schema.Literal("onEnable", "onDisable"),
  message: Schema.String
}) {}
