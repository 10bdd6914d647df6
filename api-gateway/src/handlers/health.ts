import { failure } from '../domain/outcomes';
import { type Handlers, type HandlerDeps, ok } from './types';

export function healthHandlers(deps: HandlerDeps): Pick<Handlers, 'healthz' | 'readyz'> {
  return {
    async healthz() {
      return ok({ status: 'ok' });
    },
    async readyz() {
      return deps.broker.isReady ? ok({ status: 'ok' }) : failure('SERVICE_UNAVAILABLE', 'the message broker is not connected');
    },
  };
}
