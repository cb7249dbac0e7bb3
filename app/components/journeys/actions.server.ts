// Shared by the journey pages: who is acting, and the engine's dependencies for a resume
// (database and queues; a resume re-queues work and sends nothing itself).
import { queues } from "../../../jobs/queues";
import type { JourneyDeps } from "../../../jobs/journeys/types";
import { pool } from "../../db.server";

export { actorOf } from "../segments/actions.server";

export function resumeDeps(): JourneyDeps {
  return { db: pool(), qs: queues(), channels: {} };
}
