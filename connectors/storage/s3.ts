// Media in an S3-compatible bucket (AWS S3, MinIO, R2, ...): PUT and GET Object over the S3
// REST API, path-style (endpoint/bucket/key) so any compatible service works, signed with
// SigV4.
import { amzDate, authorizationHeader, sha256Hex, uriEncode } from "./sigv4";
import { assertMediaKey, type MediaStorage } from "./storage";

export type S3Settings = { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string };

export function createS3Storage(s: S3Settings, now: () => Date = () => new Date()): MediaStorage {
  const base = new URL(s.endpoint);
  const creds = { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, region: s.region };

  async function request(method: "PUT" | "GET", key: string, body?: Buffer, contentType?: string): Promise<Response> {
    assertMediaKey(key);
    const path = `${base.pathname.replace(/\/$/, "")}/${uriEncode(s.bucket)}/${uriEncode(key, true)}`;
    const at = now();
    const payloadSha256 = sha256Hex(body ?? "");
    const headers: Record<string, string> = { host: base.host, "x-amz-content-sha256": payloadSha256, "x-amz-date": amzDate(at) };
    if (contentType) headers["content-type"] = contentType;
    const authorization = authorizationHeader(creds, { method, path, headers, payloadSha256, now: at });
    const { host: _host, ...sent } = headers;
    return fetch(new URL(path, base), { method, headers: { ...sent, authorization }, body: body ? new Uint8Array(body) : undefined });
  }

  return {
    kind: "s3",
    async put(key, bytes, contentType) {
      const r = await request("PUT", key, bytes, contentType);
      if (!r.ok) throw new Error(`S3 PUT ${key} failed: ${r.status} ${(await r.text()).slice(0, 300)}`);
      await r.arrayBuffer().catch(() => undefined);
    },
    async get(key) {
      const r = await request("GET", key);
      if (r.status === 404) {
        await r.arrayBuffer().catch(() => undefined);
        return null;
      }
      if (!r.ok) throw new Error(`S3 GET ${key} failed: ${r.status} ${(await r.text()).slice(0, 300)}`);
      return Buffer.from(await r.arrayBuffer());
    },
  };
}
