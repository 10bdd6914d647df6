/**
 * The inventory manager's entry point for the in-process benchmark
 * (tools/bench/reserve-bench.ts, `npm run bench:reserve`): the reservation
 * service over a pool the caller owns, coalescing or one transaction per call,
 * so both can be measured on the same pool in the same run. Nothing else.
 */
export { COALESCED_OPS, createReservationService, type ReservationService, type ReservationServiceOptions } from './coalesce/reservation-service';
export type { ReservationView } from './domain/reservation';
