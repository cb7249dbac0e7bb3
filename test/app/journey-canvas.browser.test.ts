// The visual journey editor in a real browser against a real server and database: open a
// journey, add nodes from the palette, drag connections from outcome handles (a branch's true
// and false among them), see the publish validation's problem on the node (a promotional
// send not behind a holdout among them), fix it in the node's form with the shop's own
// messages and offers to pick from and by putting a holdout in front, save, publish, reload,
// and find the stored definition exactly as built. A journey made with "New journey" opens on
// the canvas at its default holdout. The webhook, notification and custom-condition forms
// edit every field of their steps, with each problem beside the field it is about.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJourney } from "../../app/models/journeys.server";
import { START_HANDLE, TRIGGER_NODE_ID } from "../../core/journeys/graph-layout";
import { HOLDOUT_DEFAULT_PERCENT } from "../../core/journeys/validate";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { configureDemoApp, startDemoWeb, stopDemoApp, type DemoWeb } from "../helpers/demo-app";
import { journeyShop } from "../jobs/journeys/fixtures";

const DEMO = "journey-canvas.myshopify.com";

describe("visual journey editor in a real browser", () => {
  let db: TestDatabase;
  let web: DemoWeb;
  let browser: Browser;
  let shopId: number;
  let segmentId: string;

  beforeAll(async () => {
    db = await createTestDatabase("jcanvas");
    configureDemoApp(db, DEMO);
    shopId = await journeyShop(db.pool, DEMO);
    const body = JSON.stringify({ channel: "email", purpose: "promotional", subject: "Hi", html: "<p>Hi</p>" });
    await db.pool.query(
      `insert into message_contents (shop_id, name, channel, purpose, body, template_key) values
         ($1, 'Welcome back', 'email', 'promotional', $2, 'welcome-back'), ($1, 'Text nudge', 'sms', 'promotional', $2, 'sms-nudge')`, [shopId, body]);
    await db.pool.query(`insert into offers (shop_id, name, definition) values ($1, '10% off', $2)`,
      [shopId, JSON.stringify({ kind: "percentage", id: "pct10", percent: 10, expiresInDays: 14 })]);
    segmentId = (await db.pool.query<{ id: string }>(`insert into segments (shop_id, name, definition, updated_at) values ($1, 'VIP', '{}', now()) returning id::text`, [shopId])).rows[0].id;
    ({ web, browser } = await startDemoWeb());
  }, 300_000);

  afterAll(async () => {
    await stopDemoApp({ browser, web, db });
  });

  const node = (id: string) => `[data-editor-node="${id}"]`;
  /** Waits for the node to show the state (the check runs as the draft changes). */
  const expectState = async (page: Page, id: string, want: "valid" | "invalid") => {
    await page.waitForSelector(`${node(id)}[data-node-state="${want}"]`, { timeout: 5000 })
      .catch(async () => { throw new Error(`${id} is ${await page.getAttribute(node(id), "data-node-state")}, expected ${want}`); });
  };
  /** A handle's box once the canvas has stopped moving (auto-layout and fit-view settle over frames). */
  async function settledBox(page: Page, selector: string) {
    let last = await page.locator(selector).boundingBox();
    for (let i = 0; i < 20; i++) {
      await page.waitForTimeout(150);
      const box = await page.locator(selector).boundingBox();
      if (box && last && box.x === last.x && box.y === last.y) return box;
      last = box;
    }
    return last;
  }
  /** Drags from one handle to another the way a merchant does, with the mouse. */
  async function drag(page: Page, fromNode: string, handle: string, toNode: string) {
    const edge = `.react-flow__edge[data-id="${fromNode}->${handle}"], .react-flow__edge[data-testid="rf__edge-${fromNode}->${handle}"]`;
    const label = `Edge from ${fromNode} to ${toNode}`;
    for (let attempt = 0; ; attempt++) {
      const from = await settledBox(page, `.react-flow__handle[data-nodeid="${fromNode}"][data-handleid="${handle}"]`);
      const to = await settledBox(page, `.react-flow__handle[data-nodeid="${toNode}"][data-handleid="in"]`);
      if (!from || !to) throw new Error(`handle not on screen: ${fromNode}.${handle} -> ${toNode}`);
      await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
      await page.mouse.up();
      // Connected when the outcome's edge leads to the target.
      const ok = await page.waitForFunction(([sel, want]) => [...document.querySelectorAll(sel)].some((e) => e.getAttribute("aria-label") === want), [edge, label] as const, { timeout: 5000 })
        .then(() => true, () => false);
      if (ok) return;
      if (attempt >= 2) throw new Error(`drag did not connect ${fromNode}.${handle} -> ${toNode}`);
    }
  }
  const field = (page: Page, nodeId: string, label: string) => page.locator(`[data-node-form="${nodeId}"]`).getByLabel(label, { exact: true });
  const edgeCount = (page: Page) => page.locator(".react-flow__edge").count();

  it("builds, checks, saves, publishes and reloads a journey drawn on the canvas", async () => {
    const id = await createJourney(db.pool, shopId, { name: "Drawn journey", draft: { name: "Drawn journey", trigger: { kind: "order_placed" } } });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/app/journeys/${id}/edit`);
    await page.waitForSelector(node(TRIGGER_NODE_ID));
    await page.waitForLoadState("networkidle");
    // No steps yet: the journey cannot be published, and says why on the trigger.
    await expectState(page, TRIGGER_NODE_ID, "invalid");
    expect(await page.isDisabled("button:has-text('Publish')")).toBe(true);

    // Palette: a branch first (it becomes the start), then a message, an exit and a holdout.
    await page.click("button[aria-label='Add Branch (condition)']");
    await page.waitForSelector(node("condition-1"));
    expect(await page.locator("[data-node-form='condition-1']").count()).toBe(1);
    await page.click("button[aria-label='Add Send message']");
    await page.waitForSelector(node("send-1"));
    await page.click("button[aria-label='Add Exit']");
    await page.waitForSelector(node("exit-1"));
    // The holdout is added after the start: it does not take the start's place, and its form
    // opens at the default control share; control customers leave, "treatment" goes on.
    await page.click("button[aria-label='Add Holdout']");
    await page.waitForSelector("[data-node-form='holdout-1']");
    expect(await field(page, "holdout-1", "Control group").inputValue()).toBe(String(HOLDOUT_DEFAULT_PERCENT));
    expect(await page.textContent(node("holdout-1"))).toContain(`${HOLDOUT_DEFAULT_PERCENT}% control`);
    expect(await page.textContent(`${node("holdout-1")} [data-outcome-label="next"]`)).toBe("treatment");
    // A step nobody needs: added, then deleted.
    await page.click("button[aria-label='Add Webhook']");
    await page.waitForSelector(node("webhook-1"));
    await page.click("button:has-text('Delete node')");
    await page.waitForSelector(node("webhook-1"), { state: "detached" });
    // Not joined up yet: the validation says so on the node (schema and graph problems together).
    await expectState(page, "send-1", "invalid");
    expect(await page.textContent(`${node("send-1")} [data-node-errors]`)).toContain("unreachable from the start node");
    // The first step is joined to the trigger already; tidy up so every handle is in view.
    expect(await edgeCount(page)).toBe(1);
    await page.click("button:has-text('Auto-layout')");
    await page.waitForTimeout(300);

    // The branch's two outcomes are their own handles, labelled.
    expect(await page.textContent(`${node("condition-1")} [data-outcome-label="yes"]`)).toBe("true");
    expect(await page.textContent(`${node("condition-1")} [data-outcome-label="no"]`)).toBe("false");
    await drag(page, "condition-1", "yes", "send-1");
    // An outcome leads to one place: dragging it again moves the connection.
    await drag(page, "condition-1", "no", "send-1");
    await drag(page, "condition-1", "no", "exit-1");
    await drag(page, "send-1", "next", "exit-1");
    expect(await edgeCount(page)).toBe(4);
    expect(await page.getAttribute('.react-flow__edge[data-id="condition-1->no"]', "aria-label")).toBe("Edge from condition-1 to exit-1");
    // Laid out in layers now that it is joined up.
    await page.click("button:has-text('Auto-layout')");
    await page.waitForTimeout(300);
    // A connection is selected (from the keyboard) and deleted; the branch then lacks that outcome.
    await page.focus('.react-flow__edge[data-id="condition-1->no"]');
    await page.keyboard.press("Enter");
    await page.waitForSelector('.react-flow__edge.selected[data-id="condition-1->no"]');
    await page.click("button:has-text('Delete connection')");
    await page.waitForSelector('.react-flow__edge[data-id="condition-1->no"]', { state: "detached" });
    await expectState(page, "condition-1", "invalid");
    expect(await page.textContent(`${node("condition-1")} [data-node-errors]`)).toContain('missing next for outcome "no"');
    await drag(page, "condition-1", "no", "exit-1");
    expect(await edgeCount(page)).toBe(4);

    // The publish validation's problems show on the nodes they name: the branch has no
    // condition yet, and the exit is fine.
    await expectState(page, "condition-1", "invalid");
    expect(await page.textContent(`${node("condition-1")} [data-node-errors]`)).toContain("conditionId is required");
    await expectState(page, "exit-1", "valid");
    expect(await page.isDisabled("button:has-text('Publish')")).toBe(true);

    // Fixed in the forms, from the shop's own segments and messages (of the node's channel).
    await page.click(`${node("condition-1")} >> text=Branch (condition)`);
    await page.waitForSelector("[data-node-form='condition-1']");
    expect(await page.textContent("[data-node-form='condition-1'] [data-form-error]")).toContain("conditionId is required");
    await field(page, "condition-1", "Condition").selectOption(segmentId);
    await expectState(page, "condition-1", "valid");
    // With the schema satisfied the node checks run too: the message has no content yet, and
    // the promotional send is reached from the start without passing a holdout.
    await expectState(page, "send-1", "invalid");
    expect(await page.textContent(`${node("send-1")} [data-node-errors]`)).toContain("send has no content");
    expect(await page.textContent(`${node("send-1")} [data-node-errors]`)).toContain("promotional send is reached without passing a holdout");
    // The holdout goes in front: trigger -> holdout -> branch.
    await drag(page, TRIGGER_NODE_ID, START_HANDLE, "holdout-1");
    await drag(page, "holdout-1", "next", "condition-1");
    expect(await edgeCount(page)).toBe(5);
    expect(await page.getAttribute(`.react-flow__edge[data-id="${TRIGGER_NODE_ID}->${START_HANDLE}"]`, "aria-label")).toBe(`Edge from ${TRIGGER_NODE_ID} to holdout-1`);
    await expectState(page, "holdout-1", "valid");
    await page.click("button:has-text('Auto-layout')");
    await page.waitForTimeout(300);
    // Behind the holdout now: only the missing content is left on the send.
    await page.waitForFunction((sel) => !(document.querySelector(sel)?.textContent ?? "").includes("without passing a holdout"), `${node("send-1")} [data-node-errors]`, { timeout: 5000 });
    await expectState(page, "send-1", "invalid");
    expect(await page.textContent(`${node("send-1")} [data-node-errors]`)).toContain("send has no content");
    await expectState(page, TRIGGER_NODE_ID, "valid");
    expect(await page.isDisabled("button:has-text('Publish')")).toBe(true);
    await page.click(`${node("send-1")} >> text=Send message`);
    await page.waitForSelector("[data-node-form='send-1']");
    const messages = await page.locator("[data-node-form='send-1'] select").nth(1).locator("option").allTextContents();
    expect(messages).toEqual(["Choose a message", "Welcome back (v1)"]);
    await field(page, "send-1", "Message").selectOption("welcome-back");
    await expectState(page, "send-1", "valid");
    await page.click(`${node("condition-1")} >> text=Branch (condition)`);
    await page.waitForSelector("[data-node-form='condition-1']");
    await field(page, "condition-1", "Label").fill("VIP?");
    expect(await page.textContent(`${node("condition-1")} [data-node-label]`)).toBe("VIP?");
    expect(await page.textContent(node("condition-1"))).toContain("VIP");
    expect(await page.textContent(node("send-1"))).toContain("email · Welcome back (v1)");

    // Renaming a node keeps every connection to it.
    await page.click(`${node("exit-1")} >> text=Exit`);
    await field(page, "exit-1", "Node id").fill("done");
    await field(page, "exit-1", "Node id").press("Tab");
    await page.waitForSelector(node("done"));
    expect(await edgeCount(page)).toBe(5);
    await expectState(page, "done", "valid");

    // The trigger node opens the journey's own form: trigger, entry rules, goal.
    await page.click(`${node(TRIGGER_NODE_ID)} >> text=Trigger`);
    const journeyField = (label: string) => page.locator("[data-journey-form]").getByLabel(label, { exact: true });
    await journeyField("Trigger").selectOption("segment_entered");
    await expectState(page, TRIGGER_NODE_ID, "invalid");
    expect(await page.textContent(`${node(TRIGGER_NODE_ID)} [data-node-errors]`)).toContain("trigger.segmentId is required");
    await journeyField("Segment").selectOption(segmentId);
    await expectState(page, TRIGGER_NODE_ID, "valid");
    expect(await page.textContent(node(TRIGGER_NODE_ID))).toContain("segment entered: VIP");
    await journeyField("Goal").selectOption("order_placed");
    await page.locator("[data-journey-form]").getByLabel("Customers may enter again").check();

    // The offer picker lists the shop's offers (checked, then the node is removed again).
    await page.click("button[aria-label='Add Offer']");
    await page.waitForSelector("[data-node-form='offer-1']");
    expect(await page.locator("[data-node-form='offer-1'] select option").allTextContents()).toContain("10% off (pct10)");
    await page.click("button[aria-label='Delete node offer-1']");
    await page.waitForSelector(node("offer-1"), { state: "detached" });

    expect(await page.textContent("[data-problem-count], .Polaris-Badge")).toContain("Ready to publish");
    expect(await page.isDisabled("button:has-text('Publish')")).toBe(false);

    // The Advanced tab edits the same draft.
    await page.click("button:visible:has-text('Advanced (JSON)')");
    const json = JSON.parse(await page.getByLabel("Definition (JSON)", { exact: true }).inputValue()) as Record<string, unknown>;
    expect(json.startNodeId).toBe("holdout-1");
    await page.click("button:visible:has-text('Canvas')");
    await page.waitForSelector(node("condition-1"));

    expect(await page.locator("[data-dirty]").count()).toBe(1);
    await page.click("button:has-text('Save draft')");
    await page.waitForSelector("[data-editor-result=ok]");
    expect(await page.locator("[data-dirty]").count()).toBe(0);
    expect(await page.textContent("[data-editor-result=ok]")).toBe("Draft saved.");
    await page.click("button:has-text('Publish')");
    await page.waitForSelector("[data-editor-result=ok]:has-text('Published')");
    expect(await page.textContent("[data-editor-result=ok]")).toBe("Published as version 1.");

    const expected = {
      startNodeId: "holdout-1",
      nodes: [
        { id: "condition-1", type: "condition", conditionId: segmentId, label: "VIP?", yes: "send-1", no: "done" },
        { id: "send-1", type: "send", channel: "email", contentId: "welcome-back", purpose: "promotional", whenCapped: "wait", next: "done" },
        { id: "done", type: "exit" },
        { id: "holdout-1", type: "holdout", controlPercent: HOLDOUT_DEFAULT_PERCENT, next: "condition-1" },
      ],
    };
    const stored = await db.pool.query<{ draft: Record<string, unknown>; definition: Record<string, unknown> }>(
      `select j.draft, v.definition from journeys j join journey_versions v on v.shop_id = j.shop_id and v.journey_id = j.id and v.version = j.live_version
        where j.shop_id = $1 and j.id = $2`, [shopId, id]);
    const { draft, definition } = stored.rows[0];
    expect(draft).toMatchObject(expected);
    expect(definition).toMatchObject({
      ...expected, name: "Drawn journey", version: 1,
      trigger: { kind: "segment_entered", segmentId }, goal: { kind: "order_placed" }, entry: { reentry: true },
    });
    // Positions are saved with it, for every node and the trigger.
    const layout = definition.layout as Record<string, { x: number; y: number }>;
    expect(Object.keys(layout).sort()).toEqual([TRIGGER_NODE_ID, "condition-1", "done", "holdout-1", "send-1"].sort());
    // Auto-laid out in layers: each step below the one before it.
    expect(layout[TRIGGER_NODE_ID].y).toBeLessThan(layout["holdout-1"].y);
    expect(layout["holdout-1"].y).toBeLessThan(layout["condition-1"].y);
    expect(layout["condition-1"].y).toBeLessThan(layout["send-1"].y);
    expect(layout["send-1"].y).toBeLessThan(layout.done.y);

    // Reload: the canvas draws the stored journey, connections and all, with nothing to fix.
    await page.reload();
    await page.waitForSelector(node("done"));
    // Edges are drawn once the nodes have been measured, a frame or more after the nodes
    // appear: give them that time (a missing or extra edge still fails the count below).
    await page.waitForFunction(() => document.querySelectorAll(".react-flow__edge").length >= 5, null, { timeout: 10_000 }).catch(() => {});
    expect(await edgeCount(page)).toBe(5);
    for (const n of ["holdout-1", "condition-1", "send-1", "done", TRIGGER_NODE_ID]) await expectState(page, n, "valid");
    const layoutAfter = await page.evaluate(() => [...document.querySelectorAll("[data-editor-node]")].map((e) => e.getAttribute("data-editor-node")).sort());
    expect(layoutAfter).toEqual([TRIGGER_NODE_ID, "condition-1", "done", "holdout-1", "send-1"].sort());
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("configures webhook, notification and custom-condition steps in their forms, with problems beside the fields", async () => {
    const id = await createJourney(db.pool, shopId, { name: "Forms", draft: {
      name: "Forms", trigger: { kind: "custom_event", name: "go" }, startNodeId: "h",
      nodes: [
        { id: "h", type: "holdout", controlPercent: HOLDOUT_DEFAULT_PERCENT, next: "hook" },
        { id: "hook", type: "webhook", url: "http://crm.example.com/hook", next: "note" },
        { id: "note", type: "notify_merchant", message: "", next: "c" },
        { id: "c", type: "condition", conditionId: "vip",
          segment: { kind: "and", children: [{ kind: "customer", field: "shoe_size", cmp: { op: "eq", value: "9" } }] }, yes: "x", no: "x" },
        { id: "x", type: "exit" },
      ],
    } });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/app/journeys/${id}/edit`);
    await page.waitForSelector(node("hook"));
    await page.waitForLoadState("networkidle");
    const fieldError = (nodeId: string, f: string) => page.locator(`[data-node-form="${nodeId}"] [data-field-error="${f}"]`);

    // Webhook: the URL's problem is beside the URL; the customer fields are chosen from the schema's list.
    await page.click(`${node("hook")} >> text=Webhook`);
    await page.waitForSelector("[data-node-form='hook']");
    expect(await fieldError("hook", "url").textContent()).toMatch(/https/);
    expect(await page.textContent("[data-node-form='hook'] [data-webhook-method]")).toContain("POST");
    await field(page, "hook", "URL").fill("https://crm.example.com/hook");
    await fieldError("hook", "url").waitFor({ state: "detached" });
    await page.locator("[data-node-form='hook']").getByLabel("Email", { exact: true }).check();
    await page.locator("[data-node-form='hook']").getByLabel("First name", { exact: true }).check();
    await expectState(page, "hook", "valid");

    // Notification: an empty message is named on the message field; channels are the alert and (optionally) email.
    await page.click(`${node("note")} >> text=Notify merchant`);
    await page.waitForSelector("[data-node-form='note']");
    expect(await fieldError("note", "message").textContent()).toContain("notification has no message");
    await field(page, "note", "Message").fill("{{ customer.frist_name }} is back");
    await field(page, "note", "Subject").fill("Back: {{ customer.email }}");
    expect(await field(page, "note", "In-app alert (Alerts page)").isDisabled()).toBe(true);
    await field(page, "note", "Email to the shop's contact address").uncheck();
    await fieldError("note", "message").waitFor({ state: "detached" });

    // Custom condition: the segment builder's editor, its problem shown on the condition it names.
    await page.click(`${node("c")} >> text=Branch (condition)`);
    await page.waitForSelector("[data-node-form='c'] [data-inline-condition]");
    expect(await field(page, "c", "Condition").inputValue()).toBe("__inline");
    expect(await page.textContent("[data-node-form='c'] [data-inline-condition] [data-testid=node-error]")).toContain("shoe_size");
    await expectState(page, "c", "invalid");
    expect(await page.textContent(`${node("c")} [data-node-errors]`)).toContain("condition root.children[0]");
    await page.locator("[data-node-form='c'] [data-inline-condition] [data-testid$='-category'] select").first().selectOption("orders");
    await page.locator("[data-node-form='c'] [data-inline-condition] [data-testid=node-error]").waitFor({ state: "detached" });
    await expectState(page, "c", "valid");
    expect(await page.textContent(node("c"))).toContain("custom condition");
    // Back to a saved segment drops the built condition; building one again starts afresh under
    // a condition id of its own (named after the node).
    await field(page, "c", "Condition").selectOption(segmentId);
    await page.waitForSelector("[data-node-form='c'] [data-inline-condition]", { state: "detached" });
    expect(await page.textContent(node("c"))).toContain("VIP");
    await field(page, "c", "Condition").selectOption("__inline");
    await page.waitForSelector("[data-node-form='c'] [data-inline-condition]");
    await expectState(page, "c", "valid");

    // The journey's own form sets the conversion target its alert watches.
    await page.click(`${node(TRIGGER_NODE_ID)} >> text=Trigger`);
    const journeyField = (label: string) => page.locator("[data-journey-form]").getByLabel(label, { exact: true });
    expect(await page.locator("[data-journey-form]").getByLabel("Judge after at least", { exact: true }).count()).toBe(0);
    await journeyField("Conversion target").fill("120");
    await expectState(page, TRIGGER_NODE_ID, "invalid");
    expect(await page.textContent("[data-journey-form] [data-form-error]")).toContain("alerts.conversionTargetPercent");
    await journeyField("Conversion target").fill("12");
    await expectState(page, TRIGGER_NODE_ID, "valid");
    await journeyField("Judge after at least").fill("80");

    // The Liquid is checked by the server on publish: the typo comes back beside the message.
    await page.click("button:has-text('Publish')");
    await page.waitForSelector("[data-editor-result=errors]");
    expect(await page.textContent("[data-editor-result=errors]")).toContain("frist_name");
    await page.click(`${node("note")} >> text=Notify merchant`);
    await page.waitForSelector("[data-node-form='note']");
    expect(await fieldError("note", "message").textContent()).toContain("frist_name");
    expect(await fieldError("note", "subject").count()).toBe(0);
    await field(page, "note", "Message").fill("{{ customer.first_name }} is back");
    await fieldError("note", "message").waitFor({ state: "detached" });
    await page.click("button:has-text('Publish')");
    await page.waitForSelector("[data-editor-result=ok]:has-text('Published')");

    const v = await db.pool.query<{ definition: { nodes: Record<string, unknown>[]; alerts?: unknown } }>(
      `select v.definition from journeys j join journey_versions v on v.shop_id = j.shop_id and v.journey_id = j.id and v.version = j.live_version
        where j.shop_id = $1 and j.id = $2`, [shopId, id]);
    expect(v.rows[0].definition.alerts).toEqual({ conversionTargetPercent: 12, minSample: 80 });
    const byId = new Map(v.rows[0].definition.nodes.map((n) => [n.id, n]));
    expect(byId.get("hook")).toMatchObject({ url: "https://crm.example.com/hook", fields: ["email", "first_name"] });
    expect(byId.get("note")).toMatchObject({ message: "{{ customer.first_name }} is back", subject: "Back: {{ customer.email }}", email: false });
    expect(byId.get("c")).toMatchObject({ conditionId: "c-condition", segment: { kind: "and", children: [{ kind: "orders" }] } });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it("opens a journey made with New journey at its default holdout, and palette nodes leave that start alone", async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${web.url}/app/journeys`);
    await page.waitForLoadState("networkidle");
    await page.click("button:has-text('New journey')");
    await page.waitForURL(/\/app\/journeys\/[^/]+\/edit/);
    await page.waitForSelector(node("holdout"));
    await page.waitForLoadState("networkidle");
    // The trigger leads to the default holdout, whose treatment outcome leads to the exit.
    expect(await edgeCount(page)).toBe(2);
    expect(await page.getAttribute(`.react-flow__edge[data-id="${TRIGGER_NODE_ID}->${START_HANDLE}"]`, "aria-label")).toBe(`Edge from ${TRIGGER_NODE_ID} to holdout`);
    expect(await page.getAttribute('.react-flow__edge[data-id="holdout->next"]', "aria-label")).toBe("Edge from holdout to end");
    expect(await page.textContent(node("holdout"))).toContain(`${HOLDOUT_DEFAULT_PERCENT}% control`);
    await page.click(`${node("holdout")} >> text=Holdout`);
    await page.waitForSelector("[data-node-form='holdout']");
    expect(await field(page, "holdout", "Control group").inputValue()).toBe(String(HOLDOUT_DEFAULT_PERCENT));
    for (const n of ["holdout", "end", TRIGGER_NODE_ID]) await expectState(page, n, "valid");

    // A message from the palette is added beside it: the journey still starts at the holdout.
    await page.click("button[aria-label='Add Send message']");
    await page.waitForSelector(node("send-1"));
    expect(await edgeCount(page)).toBe(2);
    expect(await page.getAttribute(`.react-flow__edge[data-id="${TRIGGER_NODE_ID}->${START_HANDLE}"]`, "aria-label")).toBe(`Edge from ${TRIGGER_NODE_ID} to holdout`);
    await expectState(page, "send-1", "invalid");
    expect(await page.textContent(`${node("send-1")} [data-node-errors]`)).toContain("unreachable from the start node");
    await page.click("button:visible:has-text('Advanced (JSON)')");
    const json = JSON.parse(await page.getByLabel("Definition (JSON)", { exact: true }).inputValue()) as Record<string, unknown>;
    expect(json.startNodeId).toBe("holdout");
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
