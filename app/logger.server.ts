// Structured logs with pino. Personal data never reaches a log line: any field named like
// an email, phone, name or address is censored at any of the depths we log.
import pino from "pino";

const PERSONAL_KEYS = [
  "email", "phone", "first_name", "last_name", "firstName", "lastName", "address", "address1", "address2",
  "zip", "city", "billing", "shipping_address", "billing_address", "shippingAddress", "billingAddress",
  "accessToken", "access_token", "refreshToken", "refresh_token", "password", "authorization",
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of PERSONAL_KEYS) {
    paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  }
  return paths;
}

export const REDACTED = "[redacted]";

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}) {
  const level = options.level ?? process.env.LOG_LEVEL ?? "info";
  return pino({ level, redact: { paths: redactPaths(), censor: REDACTED }, base: { app: "winback" } }, options.destination);
}

export const logger = createLogger();
