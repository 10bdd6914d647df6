import { Duplex } from 'node:stream';

/**
 * amqplib's Mux writes every queued frame with its own `socket.write`: with
 * noDelay on, each one is a syscall and a TCP segment, and the broker reads
 * each on its own. Under a burst a worker's turn produces hundreds of frames
 * (the replies of a batch, its acks, the next hop's publishes): profiled in
 * the all-win sale, the cart manager spent 1.4 s of 7 s of CPU in those
 * writes. Node's documented way to batch writes on a stream is cork() then
 * uncork() on the next tick; corking when a turn writes its first frame sends
 * all of that turn's frames in one writev. Nothing waits for a timer: the
 * frames leave at the end of the turn that wrote them.
 *
 * amqplib exposes no hook for this, so it wraps `write` of the connection's
 * stream (`connection.stream`, amqplib's net.Socket, or the Duplex around
 * it). Returns false, and changes nothing, when that stream is not there
 * (an amqplib that changed its insides): the caller logs it, and
 * coalesce-writes.test.ts fails, so an upgrade that loses it shows.
 */
export function coalesceWrites(connection: unknown): boolean {
  const stream = (connection as { stream?: unknown } | null)?.stream;
  if (!(stream instanceof Duplex)) return false;
  if ((stream as CoalescedStream)[COALESCED]) return true;
  const write = stream.write;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    stream.uncork();
  };
  stream.write = function coalescedWrite(this: Duplex, ...args: Parameters<Duplex['write']>): boolean {
    if (!corked && !this.destroyed) {
      corked = true;
      this.cork();
      process.nextTick(uncork);
    }
    return write.apply(this, args);
  } as Duplex['write'];
  (stream as CoalescedStream)[COALESCED] = true;
  return true;
}

const COALESCED = Symbol('flash-sale.coalesced-writes');
type CoalescedStream = Duplex & { [COALESCED]?: true };
