// Shopify admin customer export: one row per customer. Both the current column names
// ("Default Address City", "Accepts Email Marketing") and the older ones ("City", "Accepts Marketing").
import { col, yesNoConsent, type CsvFormat, type CsvUnit } from "./unit";

export function shopifyCustomersFormat(): CsvFormat {
  return {
    required: [["Email", "Customer ID", "Phone"]],
    push(line, v) {
      const email = col(v, "Email");
      const unit: CsvUnit = {
        lines: [line],
        customer: {
          source: "csv",
          // Without an id the email is the key: a re-import then updates, never duplicates.
          externalId: col(v, "Customer ID", "ID") ?? (email ? `email:${email.toLowerCase()}` : ""),
          email,
          phone: col(v, "Phone", "Default Address Phone"),
          firstName: col(v, "First Name"),
          lastName: col(v, "Last Name"),
          country: col(v, "Default Address Country Code", "Country Code"),
          province: col(v, "Default Address Province Code", "Province Code"),
          city: col(v, "Default Address City", "City"),
          zip: col(v, "Default Address Zip", "Zip"),
          address1: col(v, "Default Address Address1", "Address1"),
          tags: col(v, "Tags"),
          emailConsent: yesNoConsent(col(v, "Accepts Email Marketing", "Accepts Marketing")),
          smsConsent: yesNoConsent(col(v, "Accepts SMS Marketing")),
        },
      };
      return [unit];
    },
    flush: () => [],
    pendingFrom: () => undefined,
  };
}
