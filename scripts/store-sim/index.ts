// The store simulator's public face for tests, demo and bench.
export { generateStore, simStoreFromDemo, decimal, type SimStore, type GenerateOptions } from "./store";
export { startStoreSim, type StoreSim, type StoreSimOptions } from "./server";
export { pointShopifyClientsAt } from "./point";
export { restCustomer, restCustomerDeleted, restOrder, restRefundOf } from "./rest";
export { signWebhook, deliverWebhooks, type WebhookEvent } from "./webhooks";
