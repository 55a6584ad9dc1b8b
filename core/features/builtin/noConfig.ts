import { Schema } from "effect"
import type { FeatureConfig } from "../Feature.js"

/** The config of a feature with nothing to configure (yet): an empty object at version 1. */
export const noConfig: FeatureConfig<{}> = {
  schema: Schema.Struct({}),
  defaults: {},
  version: 1,
  migrations: []
}
