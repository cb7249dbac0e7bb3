// npm run db:migrate: applies prisma/migrations to DATABASE_URL (or the embedded database).
import { resolveDatabase } from "../prisma/database";
import { migrate } from "../prisma/migrate";

const db = await resolveDatabase();
const result = await migrate(db.url);
console.log(result.applied.length ? `applied: ${result.applied.join(", ")}` : "database is up to date");
await db.stop();
