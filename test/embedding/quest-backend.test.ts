// Runs docs/examples/quest-backend, the backend that adds /quest without editing programs/.
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runQuests } from "../../docs/examples/quest-backend/index.js"

describe("an embedding backend's own feature, command and plan limit", () => {
  it.effect("/quest runs through the guardrail until the plan's daily quests are spent, then the quota refuses", () =>
    Effect.gen(function*() {
      const { onFree, onQuesting } = yield* runQuests
      expect(onQuesting.slice(0, 3)).toEqual(Array(3).fill("<@600000000000000002> sets out on a quest!"))
      expect(onQuesting[3]).toContain("This server has started all its quests for today")
      expect(onFree).not.toContain("sets out on a quest")
      expect(onFree).toContain("Questing")
    }))
})
