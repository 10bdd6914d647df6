// Original file: protos/inventory.proto

export const ReservationState = {
  RESERVATION_STATE_UNSPECIFIED: 'RESERVATION_STATE_UNSPECIFIED',
  HELD: 'HELD',
  COMMITTED: 'COMMITTED',
  RELEASED: 'RELEASED',
} as const;

export type ReservationState =
  | 'RESERVATION_STATE_UNSPECIFIED'
  | 0
  | 'HELD'
  | 1
  | 'COMMITTED'
  | 2
  | 'RELEASED'
  | 3

export type ReservationState__Output = typeof ReservationState[keyof typeof ReservationState]
