// npm start: production web server (after npm run build). Migrations are applied first,
// under an advisory lock, so several web processes may start at once.
import { appConfig } from "../app/config.server";
import { logger } from "../app/logger.server";
import { resolveDatabase } from "../prisma/database";
import { migrate } from "../prisma/migrate";
import { startWebServer } from "./lib/web-server";

const database = await resolveDatabase();
await migrate(database.url);
const config = appConfig();
const web = await startWebServer(config.PORT);
logger.info({ url: web.url }, "web server listening");
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, async () => {
    await web.close();
    await database.stop();
    process.exit(0);
  });
}
