import type { ConfirmChannel, ConsumeMessage } from 'amqplib';

type Entry = { msg: ConsumeMessage; state: 'open' | 'acked' | 'settled' };

/**
 * The acks of one consumer's channel, sent as few frames as is safe.
 *
 * `ack(msg, true)` acks every unacked delivery of the channel up to that tag,
 * done or not (the amqplib ack trap), so it may only cover a run of
 * deliveries that are all done. This keeps the channel's deliveries in tag
 * order; when the oldest ones are all acked (or settled another way: dead-
 * lettered, nacked for a retry), one multiple ack covers the acked ones of
 * that run. An ack that cannot join such a run (an older delivery is still
 * being worked on) goes out on its own at once: an ack is never held back,
 * so a message waiting out its retry pause delays nobody's ack.
 *
 * A batch of 100 done together is one ack frame instead of 100 (and one
 * settle command in the quorum queue's log). The channel must be this
 * consumer's alone, with every delivery registered, which QueueSubscription
 * guarantees; deliveries of a closed channel are forgotten (the broker
 * redelivers them), and its tracker with them.
 */
export class AckTracker {
  private readonly entries: Entry[] = [];
  private head = 0;
  private readonly byTag = new Map<number, Entry>();

  constructor(private readonly ch: Pick<ConfirmChannel, 'ack'>) {}

  /** A delivery arrived (call in delivery order). */
  delivered(msg: ConsumeMessage): void {
    const entry: Entry = { msg, state: 'open' };
    this.entries.push(entry);
    this.byTag.set(msg.fields.deliveryTag, entry);
  }

  /** The deliveries' work is done: ack them (with as few frames as the rule above allows). */
  ack(msgs: readonly ConsumeMessage[]): void {
    for (const msg of msgs) {
      const entry = this.byTag.get(msg.fields.deliveryTag);
      if (entry) entry.state = 'acked';
    }
    const upTo = this.advance();
    if (upTo) this.ch.ack(upTo, true);
    // What the run could not cover waits behind an open delivery: ack each on its own now.
    for (const msg of msgs) {
      const entry = this.byTag.get(msg.fields.deliveryTag);
      if (entry?.state === 'acked') {
        entry.state = 'settled';
        this.ch.ack(msg);
      }
    }
  }

  /** The delivery was settled by its own ack or nack (dead-lettered, requeued): forget it. */
  settled(msg: ConsumeMessage): void {
    const entry = this.byTag.get(msg.fields.deliveryTag);
    if (entry) entry.state = 'settled';
    const upTo = this.advance();
    if (upTo) this.ch.ack(upTo, true);
  }

  /** Deliveries not yet settled. */
  get open(): number {
    return this.byTag.size;
  }

  /**
   * Drop the run of settled or acked deliveries at the head; return the last
   * acked one of it (a multiple ack up to it acks exactly the acked ones of
   * the run: the others are settled at the broker already), or null.
   */
  private advance(): ConsumeMessage | null {
    let last: ConsumeMessage | null = null;
    while (this.head < this.entries.length && this.entries[this.head]!.state !== 'open') {
      const entry = this.entries[this.head++]!;
      this.byTag.delete(entry.msg.fields.deliveryTag);
      if (entry.state === 'acked') last = entry.msg;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    return last;
  }
}
