import type { ConsumeMessage } from 'amqplib';
import { AckTracker } from '../../src/amqp/acks';

/** A delivery with just the field the tracker reads. */
const msg = (deliveryTag: number): ConsumeMessage => ({ fields: { deliveryTag } }) as unknown as ConsumeMessage;

/** The ack frames a channel was asked to send: [tag, multiple]. */
function channel(): { ch: { ack: (m: ConsumeMessage, allUpTo?: boolean) => void }; frames: [number, boolean][] } {
  const frames: [number, boolean][] = [];
  return { frames, ch: { ack: (m, allUpTo) => frames.push([m.fields.deliveryTag, allUpTo === true]) } };
}

/** What a broker holds unacked after these frames, given the tags delivered. */
function unackedAfter(delivered: number[], frames: [number, boolean][], settledAlone: number[] = []): number[] {
  let open = new Set(delivered.filter((t) => !settledAlone.includes(t)));
  for (const [tag, multiple] of frames) {
    if (!open.has(tag)) throw new Error(`ack of tag ${tag}, which the broker does not hold unacked (PRECONDITION_FAILED)`);
    open = new Set([...open].filter((t) => (multiple ? t > tag : t !== tag)));
  }
  return [...open].sort((a, b) => a - b);
}

describe('AckTracker', () => {
  it('acks a batch that is the oldest work with one multiple ack', () => {
    const { ch, frames } = channel();
    const t = new AckTracker(ch);
    const batch = [1, 2, 3, 4, 5].map(msg);
    batch.forEach((m) => t.delivered(m));
    t.ack(batch);
    expect(frames).toEqual([[5, true]]);
    expect(t.open).toBe(0);
  });

  it('never covers a delivery still at work: a later batch done first is acked one by one', () => {
    const { ch, frames } = channel();
    const t = new AckTracker(ch);
    const all = [1, 2, 3, 4, 5, 6].map(msg);
    all.forEach((m) => t.delivered(m));
    t.ack(all.slice(3)); // 4, 5, 6 done while 1, 2, 3 still run
    expect(frames).toEqual([[4, false], [5, false], [6, false]]);
    expect(unackedAfter([1, 2, 3, 4, 5, 6], frames)).toEqual([1, 2, 3]);
    t.ack(all.slice(0, 3));
    expect(frames.slice(3)).toEqual([[3, true]]);
    expect(unackedAfter([1, 2, 3, 4, 5, 6], frames)).toEqual([]);
  });

  it('lets a run pass over deliveries settled on their own, and never names one of them', () => {
    const { ch, frames } = channel();
    const t = new AckTracker(ch);
    const all = [1, 2, 3, 4].map(msg);
    all.forEach((m) => t.delivered(m));
    t.ack([all[0]!, all[2]!]); // 2 is still being dead-lettered: 1 alone with a multiple ack, 3 on its own
    expect(frames).toEqual([[1, true], [3, false]]);
    t.settled(all[1]!); // 2 dead-lettered (its own ack went out): nothing left to send for 1-3
    expect(frames).toHaveLength(2);
    t.settled(all[3]!); // 4 nacked for a retry
    expect(frames).toHaveLength(2);
    expect(unackedAfter([1, 2, 3, 4], frames, [2, 4])).toEqual([]);
    expect(t.open).toBe(0);
  });

  it('ends a multiple ack on the last done delivery, not on a settled one after it', () => {
    const { ch, frames } = channel();
    const t = new AckTracker(ch);
    const all = [1, 2, 3].map(msg);
    all.forEach((m) => t.delivered(m));
    t.settled(all[2]!); // 3 dead-lettered first
    t.ack([all[0]!, all[1]!]);
    expect(frames).toEqual([[2, true]]);
    expect(unackedAfter([1, 2, 3], frames, [3])).toEqual([]);
  });

  it('keeps acks exact over many interleaved batches', () => {
    const { ch, frames } = channel();
    const t = new AckTracker(ch);
    const tags = Array.from({ length: 5_000 }, (_, i) => i + 1);
    const msgs = tags.map(msg);
    msgs.forEach((m) => t.delivered(m));
    // Batches of 100, finished in a shuffled order, one delivery in 50 settled alone.
    const batches = Array.from({ length: 50 }, (_, b) => msgs.slice(b * 100, b * 100 + 100));
    let seed = 7;
    const rand = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    batches.sort(() => rand() - 0.5);
    const alone: number[] = [];
    for (const batch of batches) {
      const done = batch.filter((m) => m.fields.deliveryTag % 50 !== 0);
      t.ack(done);
      for (const m of batch.filter((x) => x.fields.deliveryTag % 50 === 0)) {
        alone.push(m.fields.deliveryTag);
        t.settled(m);
      }
    }
    expect(unackedAfter(tags, frames, alone)).toEqual([]);
    expect(t.open).toBe(0);
  });
});
