// Shopify sessions in PostgreSQL with their tokens sealed at rest. The access token and
// the refresh token travel together in one upsert (the library refreshes expiring offline
// tokens and stores the pair through storeSession), so they can never be out of step.
import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { openSecret, sealSecret } from "../core/secrets/seal";

export class SealedSessionStorage implements SessionStorage {
  constructor(
    private readonly inner: SessionStorage,
    private readonly key: Buffer,
  ) {}

  async storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(this.transform(session, (v) => sealSecret(v, this.key)));
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const s = await this.inner.loadSession(id);
    return s && this.open(s);
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const found = await this.inner.findSessionsByShop(shop);
    return found.map((s) => this.open(s));
  }

  private open(session: Session): Session {
    return this.transform(session, (v) => {
      const r = openSecret(v, this.key);
      if (!r.ok) throw new Error(`session ${session.id}: ${r.error}`);
      return r.value;
    });
  }

  private transform(session: Session, f: (v: string) => string): Session {
    const props = session.toObject();
    const copy = new Session({
      ...props,
      accessToken: props.accessToken ? f(props.accessToken) : props.accessToken,
      refreshToken: props.refreshToken ? f(props.refreshToken) : props.refreshToken,
    });
    return copy;
  }
}

export function createSessionStorage(prisma: ConstructorParameters<typeof PrismaSessionStorage>[0], key: Buffer) {
  return new SealedSessionStorage(new PrismaSessionStorage(prisma, { connectionRetries: 2, connectionRetryIntervalMs: 500 }), key);
}
