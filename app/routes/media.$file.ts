// GET /media/<sha256>.<ext>: an uploaded image. The name is the content's hash, so the
// bytes behind a URL never change and browsers and mail clients may cache it forever.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { readMedia } from "../models/media.server";

export async function loader({ params }: LoaderFunctionArgs) {
  const found = await readMedia(params.file ?? "");
  if (!found) return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return new Response(new Uint8Array(found.bytes), {
    headers: {
      "Content-Type": found.contentType,
      "Content-Length": String(found.bytes.length),
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
