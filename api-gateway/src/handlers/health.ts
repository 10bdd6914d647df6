import { readinessReply } from '../../../common/src/readiness';
import { failure } from '../domain/outcomes';
import { type Handlers, type HandlerDeps, ok } from './types';

export function healthHandlers(deps: HandlerDeps): Pick<Handlers, 'healthz' | 'readyz'> {
  return {
    /** Liveness: the process answers. No dependency is checked (a database outage must not get the gateway restarted). */
    async healthz() {
      return ok({ status: 'ok' });
    },
    /** Readiness: every dependency by name; 503 SERVICE_UNAVAILABLE (with Retry-After) naming the ones down. */
    async readyz() {
      const reply = readinessReply(await deps.readiness());
      if (reply.status === 200) return ok(reply.body);
      return { ...failure(reply.body.code, reply.body.error), body: reply.body };
    },
  };
}
