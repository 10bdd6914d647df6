/**
 * jest globalSetup of the integration project: before any test file starts
 * its services, wait (at most 30 s) for MariaDB and RabbitMQ, and fail with one
 * message naming the one missing and how to start it.
 */
import { waitForInfrastructure } from './support/infrastructure';

export default async function globalSetup(): Promise<void> {
  await waitForInfrastructure({ timeoutMs: 30_000 });
}
