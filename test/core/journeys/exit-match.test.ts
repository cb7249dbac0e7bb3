import { describe, expect, it } from "vitest";
import { overtakenByLaterFacts } from "../../../core/journeys/exit-match";
import type { Journey } from "../../../core/journeys/schema";

const journey: Pick<Journey, "goal" | "exitCriteria"> = {
  goal: { kind: "order_placed" },
  exitCriteria: [{ kind: "unsubscribed" }, { kind: "entered_stage", stage: "loyal" }],
};

describe("overtakenByLaterFacts: a trigger handled after what the customer did next", () => {
  it.each([
    { why: "nothing since", later: [], want: false },
    { why: "an order since: the goal", later: [{ kind: "order_placed" as const }], want: true },
    { why: "an opt-out since: an exit criterion", later: [{ kind: "unsubscribed" as const }], want: true },
    { why: "the exit stage since", later: [{ kind: "stage_entered" as const, stage: "loyal" }], want: true },
    { why: "another stage since", later: [{ kind: "stage_entered" as const, stage: "at_risk" }], want: false },
    { why: "an unrelated event since", later: [{ kind: "event" as const, name: "page_view" }], want: false },
  ])("$why", ({ later, want }) => expect(overtakenByLaterFacts(journey, later)).toBe(want));

  it("a journey without a goal or exit criteria is never overtaken", () => {
    expect(overtakenByLaterFacts({ exitCriteria: [] }, [{ kind: "order_placed" }])).toBe(false);
  });
});
