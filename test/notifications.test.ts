/**
 * The notifications module against a real database: in-app rows and mail
 * written in the caller's transaction, kept mail without SMTP, exactly-once
 * delivery with SMTP (through the real queue, with a fake mailer), and
 * per-user isolation of read marks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserAccount } from "../app/accounts/index.server";
import {
  deliverMail,
  listMailbox,
  listNotifications,
  markRead,
  MAIL_SEND_ATTEMPTS,
  notificationJobs,
  notify,
  SEND_MAIL_JOB,
  sendMail,
  sweepKeptMail,
  unreadCount,
  type Mailer,
  type OutgoingMail,
} from "../app/notifications/index.server";
import { createTestPlatform, type TestPlatform } from "./support/platform";

let platform: TestPlatform;
let alice: { id: string; email: string };
let bob: { id: string; email: string };

/** A stand-in SMTP server: records what it was asked to send, or fails on demand. */
function fakeSmtpMailer(opts: { fail?: string } = {}): Mailer & { sent: OutgoingMail[] } {
  const sent: OutgoingMail[] = [];
  return {
    mode: "smtp",
    sent,
    async send(mail) {
      if (opts.fail) throw new Error(opts.fail);
      sent.push(mail);
    },
    async close() {},
  };
}

async function mailRow(id: string) {
  return platform.db.selectFrom("mail_outbox").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  platform = await createTestPlatform();
  const make = (email: string, name: string) =>
    createUserAccount(platform.db, { email, name, password: "correct horse battery", intent: "buyer" });
  alice = await make("alice@example.test", "Alice");
  bob = await make("bob@example.test", "Bob");
});

afterAll(async () => {
  await platform?.close();
});

describe("notify", () => {
  it("writes the in-app notification, and with email a kept mail that links back to the site", async () => {
    const { notificationId, mailId } = await notify(platform.db, {
      userId: alice.id,
      kind: "order.paid",
      title: "Order 1001 was paid",
      body: "Bo paid ¥120.00.",
      link: "/orders/1001",
      data: { orderId: "ord_1" },
      email: true,
      publicUrl: "http://shop.example.test",
    });
    const ntf = await platform.db.selectFrom("notifications").selectAll().where("id", "=", notificationId).executeTakeFirstOrThrow();
    expect(ntf).toMatchObject({ user_id: alice.id, kind: "order.paid", title: "Order 1001 was paid", link: "/orders/1001", read_at: null });
    expect(ntf.data).toEqual({ orderId: "ord_1" });

    expect(mailId).not.toBeNull();
    const mail = await mailRow(mailId!);
    expect(mail).toMatchObject({ to_email: alice.email, subject: "Order 1001 was paid", status: "kept", notification_id: notificationId });
    expect(mail.text_body).toContain("Bo paid ¥120.00.");
    expect(mail.text_body).toContain("http://shop.example.test/orders/1001");
  });

  it("writes no mail unless asked", async () => {
    const before = await platform.db.selectFrom("mail_outbox").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    const { mailId } = await notify(platform.db, { userId: alice.id, kind: "shop.note", title: "In-app only", body: "" });
    expect(mailId).toBeNull();
    const after = await platform.db.selectFrom("mail_outbox").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("commits or rolls back with the caller's transaction", async () => {
    let ids: { notificationId: string; mailId: string | null } | undefined;
    await expect(
      platform.db.transaction().execute(async (trx) => {
        ids = await notify(trx, { userId: alice.id, kind: "order.paid", title: "Rolled back", body: "x", email: true });
        throw new Error("the caller's work failed");
      }),
    ).rejects.toThrow("the caller's work failed");
    expect(await platform.db.selectFrom("notifications").select("id").where("id", "=", ids!.notificationId).executeTakeFirst()).toBeUndefined();
    expect(await platform.db.selectFrom("mail_outbox").select("id").where("id", "=", ids!.mailId!).executeTakeFirst()).toBeUndefined();
  });

  it("refuses a link that is not a path on this site", async () => {
    for (const link of ["javascript:alert(1)", "https://evil.example/", "//evil.example/x"]) {
      await expect(notify(platform.db, { userId: alice.id, kind: "x.y", title: "t", body: "b", link })).rejects.toThrow();
    }
  });
});

describe("mail without SMTP", () => {
  it("is kept, and the sweep offers nothing to send", async () => {
    expect(platform.mailer.mode).toBe("kept");
    const id = await sendMail(platform.db, { to: "someone@example.test", subject: "Kept", text: "hello" });
    expect(await sweepKeptMail(platform)).toBe(0);
    expect(await deliverMail(platform, id, 1)).toBe("skipped");
    expect((await mailRow(id)).status).toBe("kept");
    const box = await listMailbox(platform.db, { limit: 5 });
    expect(box.items[0]).toMatchObject({ id, subject: "Kept", to: "someone@example.test", status: "kept" });
  });
});

describe("mail with SMTP", () => {
  it("delivers every kept mail exactly once through the queue, even when the sweep runs twice", async () => {
    const mailer = fakeSmtpMailer();
    const smtp = { ...platform, mailer };
    for (let i = 0; i < 3; i++) await sendMail(platform.db, { to: `reader${i}@example.test`, subject: `Delivery ${i}`, text: "hi" });
    const kept = await platform.db.selectFrom("mail_outbox").select(["id", "subject"]).where("status", "=", "kept").execute();
    expect(kept.length).toBeGreaterThanOrEqual(3);

    // Three sweeps (two of them racing) offer every kept mail three times
    // before any worker runs...
    expect(await Promise.all([sweepKeptMail(smtp), sweepKeptMail(smtp)])).toEqual([kept.length, kept.length]);
    expect(await sweepKeptMail(smtp)).toBe(kept.length);

    // ...then the send worker starts, with the job definition the workers use.
    const send = notificationJobs.find((j) => j.name === SEND_MAIL_JOB)!;
    await platform.jobs.work(send.name, send.handler(smtp), { concurrency: send.concurrency });

    const keptIds = kept.map((k) => k.id);
    await until("every mail sent", async () => {
      const rows = await platform.db.selectFrom("mail_outbox").select("status").where("id", "in", keptIds).execute();
      return rows.every((r) => r.status === "sent");
    });
    // Once sent, a mail is no longer offered.
    expect(await sweepKeptMail(smtp)).toBe(0);
    await new Promise((r) => setTimeout(r, 500)); // room for a stray duplicate to show up

    expect(mailer.sent.map((m) => m.subject).sort()).toEqual(kept.map((k) => k.subject).sort());
    for (const id of keptIds) expect((await mailRow(id)).sent_at).toBeInstanceOf(Date);
  });

  it("sends once when two deliveries of the same mail run at the same time", async () => {
    const mailer = fakeSmtpMailer();
    const smtp = { ...platform, mailer };
    const id = await sendMail(platform.db, { to: "race@example.test", subject: "Race", text: "once" });
    const outcomes = await Promise.all([deliverMail(smtp, id, 1), deliverMail(smtp, id, 1)]);
    expect(outcomes.sort()).toEqual(["sent", "skipped"]);
    expect(mailer.sent).toHaveLength(1);
    expect(await deliverMail(smtp, id, 1)).toBe("skipped");
    expect(mailer.sent).toHaveLength(1);
  });

  it("keeps the error for a retry, and marks the mail failed on the last attempt", async () => {
    const smtp = { ...platform, mailer: fakeSmtpMailer({ fail: "550 mailbox unavailable" }) };
    const id = await sendMail(platform.db, { to: "bounce@example.test", subject: "Bounce", text: "no" });

    await expect(deliverMail(smtp, id, 1)).rejects.toThrow("550 mailbox unavailable");
    expect(await mailRow(id)).toMatchObject({ status: "kept", error: "550 mailbox unavailable", sent_at: null });

    await expect(deliverMail(smtp, id, MAIL_SEND_ATTEMPTS)).rejects.toThrow("550 mailbox unavailable");
    expect(await mailRow(id)).toMatchObject({ status: "failed", error: "550 mailbox unavailable", sent_at: null });

    // A failed mail is final: neither offered again nor sent by a late job.
    const working = { ...platform, mailer: fakeSmtpMailer() };
    await sweepKeptMail(working);
    expect(await deliverMail(working, id, 1)).toBe("skipped");
    expect(working.mailer.sent).toHaveLength(0);
  });
});

describe("reading notifications", () => {
  it("marks only the user's own rows read", async () => {
    const carol = await createUserAccount(platform.db, { email: "carol@example.test", name: "Carol", password: "correct horse battery", intent: "buyer" });
    const dave = await createUserAccount(platform.db, { email: "dave@example.test", name: "Dave", password: "correct horse battery", intent: "buyer" });
    const c1 = await notify(platform.db, { userId: carol.id, kind: "a.b", title: "c1", body: "" });
    await notify(platform.db, { userId: carol.id, kind: "a.b", title: "c2", body: "" });
    const d1 = await notify(platform.db, { userId: dave.id, kind: "a.b", title: "d1", body: "" });

    // Carol cannot mark Dave's notification read.
    expect(await markRead(platform.db, carol.id, d1.notificationId)).toBe(0);
    expect(await unreadCount(platform.db, dave.id)).toBe(1);

    expect(await markRead(platform.db, carol.id, c1.notificationId)).toBe(1);
    expect(await markRead(platform.db, carol.id, c1.notificationId)).toBe(0);
    expect(await unreadCount(platform.db, carol.id)).toBe(1);

    expect(await markRead(platform.db, carol.id, "all")).toBe(1);
    expect(await unreadCount(platform.db, carol.id)).toBe(0);
    // "all" is all of Carol's, none of Dave's.
    expect(await unreadCount(platform.db, dave.id)).toBe(1);
  });

  it("pages newest first with a cursor, without gaps or repeats", async () => {
    const erin = await createUserAccount(platform.db, { email: "erin@example.test", name: "Erin", password: "correct horse battery", intent: "buyer" });
    for (let i = 0; i < 65; i++) await notify(platform.db, { userId: erin.id, kind: "a.b", title: `n${i}`, body: "" });
    await notify(platform.db, { userId: bob.id, kind: "a.b", title: "not Erin's", body: "" });

    const seen: string[] = [];
    let before: string | undefined;
    const sizes: number[] = [];
    for (;;) {
      const page = await listNotifications(platform.db, erin.id, { before, limit: 30 });
      sizes.push(page.items.length);
      seen.push(...page.items.map((n) => n.id));
      if (!page.nextBefore) break;
      before = page.nextBefore;
    }
    expect(sizes).toEqual([30, 30, 5]);
    expect(new Set(seen).size).toBe(65);
    expect([...seen].sort().reverse()).toEqual(seen);

    // Ids carry the time to the millisecond, so a later one comes first.
    await new Promise((r) => setTimeout(r, 5));
    await notify(platform.db, { userId: erin.id, kind: "a.b", title: "latest", body: "" });
    const first = await listNotifications(platform.db, erin.id, { limit: 1 });
    expect(first.items[0].title).toBe("latest");
  });
});
