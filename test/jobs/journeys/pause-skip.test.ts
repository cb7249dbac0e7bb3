// Resume with "skip" (real PostgreSQL, simulated clock): the sends that came due with waits
// that expired during the pause are dropped (the customers step on), while a wait that ends
// after the resume sends as usual.
import { describe, expect, it } from "vitest";
import { handleJourneyEvent } from "../../../jobs/journeys/events";
import { pauseJourneys, resumeJourneys } from "../../../jobs/journeys/pause";
import { processEnrollment } from "../../../jobs/journeys/step";
import { sweepJourneys } from "../../../jobs/journeys/sweeper";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { sinkChannel } from "../../helpers/journey-sink";
import { engineTestServices, insertEvents, insertTreatedCustomers, journeyShop, publish, twoSendJourney } from "./fixtures";

const { db, qs, sink } = await engineTestServices("jskip");

const MIN = 60_000;
let now = new Date("2026-11-20T15:00:00Z");
const deps = (): JourneyDeps => ({ db: db.pool, qs, channels: { email: sinkChannel(sink.url) }, now: () => now });
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
const sentNodes = (customerId: string) => [...sink.bodies.values()].filter((m) => m.customerId === customerId).map((m) => m.nodeId);

describe("resume with skip", () => {
  it("drops the sends of waits that expired during the pause; later waits send as usual", async () => {
    const shopId = await journeyShop(db.pool, "skip1.myshopify.com");
    const journeyId = await publish(db.pool, shopId, twoSendJourney("ps", 30));
    const [c1, c2, c3] = await insertTreatedCustomers(db.pool, shopId, journeyId, 3);
    const fire = async (cs: string[]) => { for (const e of await insertEvents(db.pool, shopId, cs, "ps")) await handleJourneyEvent(deps(), shopId, e); };
    const start = now.getTime();
    now = new Date(start - 25 * MIN);
    await fire([c1, c2]); // their waits end at +5 min, during the pause
    now = new Date(start);
    await fire([c3]); // its wait ends at +30 min, after the resume
    await pauseJourneys(db.pool, shopId, "journey", journeyId, { policy: "skip", now });
    now = new Date(start + 10 * MIN);
    const r = await resumeJourneys(deps(), shopId, "journey", journeyId);
    expect(r).toMatchObject({ resumed: true, policy: "skip" });

    const byCustomer = await q<{ customer_id: string; status: string }>(`select customer_id::text, status::text from enrollments where shop_id = $1 order by customer_id`, [shopId]);
    expect(byCustomer).toEqual([{ customer_id: c1, status: "completed" }, { customer_id: c2, status: "completed" }, { customer_id: c3, status: "waiting" }]);
    const b = await q<{ status: string; reason: Record<string, unknown> }>(`select status::text, reason from messages where shop_id = $1 and node_id = 'b' order by customer_id`, [shopId]);
    expect(b).toEqual([1, 2].map(() => ({ status: "suppressed", reason: { kind: "paused", policy: "skip", expiredWait: true } })));
    // Nothing picks them up again.
    await sweepJourneys(deps(), { graceMs: 0 });
    expect(sentNodes(c1)).toEqual(["a"]);
    expect(sentNodes(c2)).toEqual(["a"]);

    now = new Date(start + 30 * MIN);
    const [e3] = await q<{ id: string }>(`select id::text from enrollments where shop_id = $1 and customer_id = $2`, [shopId, c3]);
    expect(await processEnrollment(deps(), shopId, e3.id)).toMatchObject({ kind: "stepped", status: "completed" });
    expect(sentNodes(c3)).toEqual(["a", "b"]);
  });
});
