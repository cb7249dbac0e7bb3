// The demo's channel providers: a local SMTP server and the Twilio simulator, registered as
// the demo shop's smtp and twilio providers, with everything they receive stored in the
// outbox table so the Outbox page shows journeys working. Loopback only; refused in
// production like the rest of the demo.
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { recordOutboxItem } from "../../app/models/outbox.server";
import { startSmtpSink, type SmtpSink } from "./smtp-sink";
import { startTwilioSim, type TwilioSim } from "./twilio-sim";

export type DemoChannels = { smtp: SmtpSink; twilio: TwilioSim; close(): Promise<void> };

export async function startDemoChannels(db: pg.Pool, shopDomain: string, opts: { smtpPort?: number; twilioPort?: number; autoStatusMs?: number } = {}): Promise<DemoChannels> {
  if (process.env.NODE_ENV === "production") throw new Error("the demo's local providers are refused when NODE_ENV=production");
  const shop = await db.query<{ id: number }>(`select id from shops where domain = $1`, [shopDomain]);
  const shopId = shop.rows[0]?.id;
  if (!shopId) throw new Error(`demo shop ${shopDomain} is not seeded`);

  const smtp = await startSmtpSink({
    port: opts.smtpPort,
    async onMail(mail) {
      const messageId = mail.messageId ?? `<${randomBytes(12).toString("hex")}@winback-demo>`;
      for (const [i, to] of mail.recipients.entries()) {
        await recordOutboxItem(
          {
            shopId,
            channel: "email",
            provider: "smtp",
            providerMessageId: i === 0 ? messageId : `${messageId}#${i}`,
            sender: mail.from ?? mail.envelopeFrom,
            recipient: to,
            subject: mail.subject,
            bodyText: mail.text,
            bodyHtml: mail.html,
            status: "delivered",
          },
          db,
        );
      }
    },
  });

  // Fixed demo credentials: the sim only listens on loopback.
  const accountSid = `AC${"d".repeat(32)}`;
  const authToken = randomBytes(16).toString("hex");
  const twilio = await startTwilioSim({
    accountSid,
    authToken,
    port: opts.twilioPort,
    autoStatus: { delayMs: opts.autoStatusMs ?? 1500 },
    async onMessage(msg) {
      await recordOutboxItem({ shopId, channel: "sms", provider: "twilio", providerMessageId: msg.sid, sender: msg.from ?? msg.messaging_service_sid, recipient: msg.to, bodyText: msg.body, status: msg.status }, db);
    },
  });

  // Promotional email needs the shop's postal address (CAN-SPAM); the demo store gets one.
  await db.query(
    `update shops set settings = settings || jsonb_build_object('postalAddress', $2::text) where id = $1 and not (settings ? 'postalAddress')`,
    [shopId, "Winback Demo Coffee, 1 Roastery Lane, Portland, OR 97201, USA"],
  );

  const { saveProviderCredential } = await import("../../app/models/channels.server");
  const smtpSaved = await saveProviderCredential(shopId, "smtp", {
    host: smtp.host,
    port: String(smtp.port),
    secure: "false",
    fromAddress: "hello@winback-demo.example",
    fromName: "Winback Demo Coffee",
    messageIdDomain: "winback-demo.example",
  });
  if (!smtpSaved.ok) throw new Error(`demo smtp provider: ${smtpSaved.error.join("; ")}`);
  const twilioSaved = await saveProviderCredential(shopId, "twilio", { accountSid, authToken, from: "+15005550006", baseUrl: twilio.baseUrl, autoReplies: "true" });
  if (!twilioSaved.ok) throw new Error(`demo twilio provider: ${twilioSaved.error.join("; ")}`);

  return {
    smtp,
    twilio,
    async close() {
      await smtp.close();
      await twilio.close();
    },
  };
}
