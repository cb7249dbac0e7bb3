// Message content as the merchant saves it: one message per channel, each with a purpose
// that decides which compliance rules apply (footer, unsubscribe, quiet hours).
import { z } from "zod";
import { surveySchema } from "./survey";
import { emailVariantTestSchema, pushVariantTestSchema, smsVariantTestSchema } from "./variants";

export const purposeSchema = z.enum(["promotional", "informational", "transactional"]);
export type Purpose = z.infer<typeof purposeSchema>;

export const channelSchema = z.enum(["email", "sms", "push"]);
export type ChannelKind = z.infer<typeof channelSchema>;

// A block name is referenced from content as [[block:name]], so it must stay token-like.
export const blockNameSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "block names are lowercase letters, digits, - and _");

/** Reusable fragment (footer, product grid, ...). Email blocks hold MJML, others plain text. */
export const blockSchema = z.object({
  name: blockNameSchema,
  channel: channelSchema,
  content: z.string().max(50_000),
});
export type Block = z.infer<typeof blockSchema>;

const liquidText = (max: number) => z.string().min(1).max(max);

export const emailContentSchema = z.object({
  channel: z.literal("email"),
  purpose: purposeSchema,
  subject: liquidText(500),
  preheader: z.string().max(500).default(""),
  mjml: liquidText(200_000),
  /** Subject / preheader / body variants tested against each other (core/content/variants.ts). */
  variants: emailVariantTestSchema.optional(),
  /** A one-question CSAT or NPS block, placed where the MJML says [[survey]] (core/content/survey.ts). */
  survey: surveySchema.optional(),
});

export const smsContentSchema = z.object({
  channel: z.literal("sms"),
  purpose: purposeSchema,
  body: liquidText(1_600),
  variants: smsVariantTestSchema.optional(),
});

export const pushContentSchema = z.object({
  channel: z.literal("push"),
  purpose: purposeSchema,
  title: liquidText(200),
  body: liquidText(1_000),
  icon: z.string().max(2_000).optional(),
  link: z.string().max(2_000),
  variants: pushVariantTestSchema.optional(),
});

export const messageContentSchema = z.discriminatedUnion("channel", [emailContentSchema, smsContentSchema, pushContentSchema]);
export type EmailContent = z.infer<typeof emailContentSchema>;
export type SmsContent = z.infer<typeof smsContentSchema>;
export type PushContent = z.infer<typeof pushContentSchema>;
export type MessageContent = z.infer<typeof messageContentSchema>;

/**
 * What a step sends: the content, then a default block-level alternative used when the
 * recipient's data cannot fill the content, then the shop's generic copy.
 */
export const messageVariantChainSchema = z.object({
  primary: messageContentSchema,
  fallback: messageContentSchema.optional(),
  generic: messageContentSchema,
});
export type MessageVariantChain = z.infer<typeof messageVariantChainSchema>;
