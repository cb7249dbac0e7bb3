// /app/media: the media library. Upload images and GIFs (type checked from the bytes, at
// most 5 MB) and copy their permanent URLs into messages.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Page, Text } from "@shopify/polaris";
import { requireAdmin } from "../auth.server";
import { listMedia, MAX_MEDIA_BYTES, uploadMedia } from "../models/media.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request);
  return { media: await listMedia(admin.shopId), maxMb: MAX_MEDIA_BYTES / 1024 / 1024 };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireAdmin(request);
  // Refuse oversized bodies before reading them into memory.
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_MEDIA_BYTES + 64 * 1024) return { ok: false as const, error: `The file is larger than ${MAX_MEDIA_BYTES / 1024 / 1024} MB.` };
  const form = await request.formData();
  const file = form.get("file");
  if (!file || typeof file === "string") return { ok: false as const, error: "Choose a file to upload." };
  const r = await uploadMedia(admin.shopId, Buffer.from(await file.arrayBuffer()), file.name);
  return r.ok ? { ok: true as const, url: r.value.url } : { ok: false as const, error: r.error };
}

export default function Media() {
  const { media, maxMb } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const rows = media.map((m) => [
    <img key="i" src={m.path} alt="" style={{ maxWidth: 64, maxHeight: 48 }} />,
    m.originalName,
    m.contentType,
    `${Math.ceil(m.size / 1024)} KB`,
    <InlineStack key="u" gap="200" blockAlign="center">
      <code data-media-url>{m.url}</code>
      <Button size="slim" onClick={() => void navigator.clipboard?.writeText(m.url)}>
        Copy URL
      </Button>
    </InlineStack>,
  ]);
  return (
    <Page title="Media" backAction={{ content: "Content", url: "/app/content" }}>
      <BlockStack gap="400">
        <Card>
          <Form method="post" encType="multipart/form-data">
            <BlockStack gap="200">
              {result && (result.ok ? <Banner tone="success">Uploaded: {result.url}</Banner> : <Banner tone="critical">{result.error}</Banner>)}
              <Text as="p">PNG, JPEG, GIF or WebP, up to {maxMb} MB.</Text>
              <InlineStack gap="200">
                <input type="file" name="file" accept="image/png,image/jpeg,image/gif,image/webp" />
                <Button submit variant="primary" loading={navigation.state === "submitting"}>
                  Upload
                </Button>
              </InlineStack>
            </BlockStack>
          </Form>
        </Card>
        <Card padding="0">
          {rows.length ? (
            <DataTable columnContentTypes={["text", "text", "text", "numeric", "text"]} headings={["", "Name", "Type", "Size", "URL"]} rows={rows} />
          ) : (
            <div style={{ padding: 16 }}>
              <Text as="p">No images yet.</Text>
            </div>
          )}
        </Card>
      </BlockStack>
    </Page>
  );
}
