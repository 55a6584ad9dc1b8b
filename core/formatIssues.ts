import { ParseResult } from "effect"

/**
 * A Schema failure as one line per issue, each led by the bad field's path,
 * e.g. `plans[0].limits.maxGuilds: Expected a number greater than or equal to -1, actual -5`:
 * shorter than Schema's tree, and it still names the field to fix.
 */
export const formatIssues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => {
    const path = issue.path.map((key, i) =>
      typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`
    )
    return path.length === 0 ? issue.message : `${path.join("")}: ${issue.message}`
  }).join("; ")
