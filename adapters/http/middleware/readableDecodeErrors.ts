import { HttpApiBuilder, HttpApiError, type HttpApp } from "@effect/platform"
import { Effect } from "effect"
import { issuesMessage, readableIssues } from "../../../core/index.js"

const isDecodeError = (error: unknown): error is HttpApiError.HttpApiDecodeError =>
  error instanceof HttpApiError.HttpApiDecodeError

/**
 * HttpApiBuilder answers a request that does not fit its schema with Schema's
 * tree (`Brand<"GuildId">`, one "Expected undefined" per optional field) and
 * one issue per union member. Keep the documented shape, `{ _tag, issues,
 * message }`, but say it for people: one issue per field, and a message that
 * lists them, each led by the field's path.
 */
export const readableDecodeErrors = HttpApiBuilder.middleware((app) =>
  Effect.catchIf(
    // The app's type says it cannot fail; the router's handlers do, and their errors are encoded outside this.
    app as unknown as HttpApp.Default<unknown>,
    isDecodeError,
    (error) => {
      if (error.issues.length === 0) return Effect.fail(error)
      const issues = readableIssues(error.issues)
      return Effect.fail(new HttpApiError.HttpApiDecodeError({ issues, message: issuesMessage(issues) }))
    }
  ) as unknown as typeof app
)
